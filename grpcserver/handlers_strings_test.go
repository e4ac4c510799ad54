package grpcserver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
	"github.com/isa-cloud/isa-memstore/engine"
)

func TestSetGet(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client

	set, err := c.Set(ctx, &pb.SetRequest{UserId: user, OrganizationId: org, Key: "k", Value: "v"})
	require.NoError(t, err)
	assert.True(t, set.Success)
	assert.NotEmpty(t, set.Message)

	got, err := c.Get(ctx, &pb.GetRequest{UserId: user, OrganizationId: org, Key: "k"})
	require.NoError(t, err)
	assert.Equal(t, &pb.GetResponse{Found: true, Value: "v"}, stripGet(got))

	// A missing key is no error; the empty key and an empty org are fine.
	got, err = c.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
	require.NoError(t, err)
	assert.False(t, got.Found)
	assert.Empty(t, got.Value)
	_, err = c.Set(ctx, &pb.SetRequest{UserId: user, Key: "", Value: "empty key"})
	require.NoError(t, err)
	got, err = c.Get(ctx, &pb.GetRequest{UserId: user, Key: ""})
	require.NoError(t, err)
	assert.Equal(t, "empty key", got.Value)

	// An empty value is a found value.
	_, err = c.Set(ctx, &pb.SetRequest{UserId: user, Key: "e", Value: ""})
	require.NoError(t, err)
	got, err = c.Get(ctx, &pb.GetRequest{UserId: user, Key: "e"})
	require.NoError(t, err)
	assert.True(t, got.Found)
}

func stripGet(r *pb.GetResponse) *pb.GetResponse {
	return &pb.GetResponse{Found: r.Found, Value: r.Value}
}

func TestSetWithExpiration(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	ttlOf := func(key string) int64 {
		r, err := c.GetTTL(ctx, &pb.GetTTLRequest{UserId: user, Key: key})
		require.NoError(t, err)
		return r.TtlSeconds
	}

	_, err := c.SetWithExpiration(ctx, &pb.SetWithExpirationRequest{UserId: user, Key: "k", Value: "v", Expiration: durationpb.New(2 * time.Second)})
	require.NoError(t, err)
	ttl := ttlOf("k")
	assert.True(t, ttl > 0 && ttl <= 2, "ttl %d", ttl)
	h.clock.Advance(3 * time.Second)
	got, err := c.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
	require.NoError(t, err)
	assert.False(t, got.Found, "expired key still found")

	// Millisecond precision below a second.
	_, err = c.SetWithExpiration(ctx, &pb.SetWithExpirationRequest{UserId: user, Key: "ms", Value: "v", Expiration: durationpb.New(1500 * time.Millisecond)})
	require.NoError(t, err)
	h.clock.Advance(1499 * time.Millisecond)
	got, err = c.Get(ctx, &pb.GetRequest{UserId: user, Key: "ms"})
	require.NoError(t, err)
	assert.True(t, got.Found)
	h.clock.Advance(time.Millisecond)
	got, err = c.Get(ctx, &pb.GetRequest{UserId: user, Key: "ms"})
	require.NoError(t, err)
	assert.False(t, got.Found)

	// Unset and zero: a plain SET.
	for _, d := range []*durationpb.Duration{nil, durationpb.New(0)} {
		set, err := c.SetWithExpiration(ctx, &pb.SetWithExpirationRequest{UserId: user, Key: "p", Value: "v", Expiration: d})
		require.NoError(t, err)
		assert.True(t, set.Success)
		assert.NotEmpty(t, set.Message)
		assert.Equal(t, int64(-1), ttlOf("p"))
	}

	// Negative or malformed: refused, nothing written.
	for _, d := range []*durationpb.Duration{durationpb.New(-time.Second), {Seconds: 1, Nanos: -1}} {
		_, err = c.SetWithExpiration(ctx, &pb.SetWithExpirationRequest{UserId: user, Key: "neg", Value: "v", Expiration: d})
		requireCode(t, err, codes.InvalidArgument, "expiration")
		assert.Equal(t, int64(-2), ttlOf("neg"))
	}
}

func TestGetMultiple(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	for k, v := range map[string]string{"a": "1", "b": "", "c": "3"} {
		_, err := c.Set(ctx, &pb.SetRequest{UserId: user, Key: k, Value: v})
		require.NoError(t, err)
	}
	r, err := c.GetMultiple(ctx, &pb.GetMultipleRequest{UserId: user, Keys: []string{"c", "missing", "b", "a", "c"}})
	require.NoError(t, err)
	var got [][2]string
	for _, kv := range r.Values {
		got = append(got, [2]string{kv.Key, kv.Value})
	}
	assert.Equal(t, [][2]string{{"c", "3"}, {"b", ""}, {"a", "1"}, {"c", "3"}}, got)
}

func TestIncrementDecrement(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	inc := func(d int64) int64 {
		r, err := c.Increment(ctx, &pb.IncrementRequest{UserId: user, Key: "n", Delta: d})
		require.NoError(t, err)
		return r.Value
	}
	dec := func(d int64) int64 {
		r, err := c.Decrement(ctx, &pb.DecrementRequest{UserId: user, Key: "n", Delta: d})
		require.NoError(t, err)
		return r.Value
	}
	assert.Equal(t, int64(1), inc(1))
	assert.Equal(t, int64(6), inc(5))
	assert.Equal(t, int64(4), dec(2))
	assert.Equal(t, int64(5), inc(0), "delta 0 means 1")
	assert.Equal(t, int64(4), dec(0), "delta 0 means 1")
	assert.Equal(t, int64(-6), inc(-10))

	_, err := c.Set(ctx, &pb.SetRequest{UserId: user, Key: "s", Value: "abc"})
	require.NoError(t, err)
	_, err = c.Increment(ctx, &pb.IncrementRequest{UserId: user, Key: "s", Delta: 1})
	requireCode(t, err, codes.InvalidArgument, "ERR value is not an integer or out of range")
	_, err = c.Set(ctx, &pb.SetRequest{UserId: user, Key: "big", Value: "9223372036854775807"})
	require.NoError(t, err)
	_, err = c.Increment(ctx, &pb.IncrementRequest{UserId: user, Key: "big", Delta: 1})
	requireCode(t, err, codes.OutOfRange, "ERR increment or decrement would overflow")
}

func TestAppend(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	r, err := c.Append(ctx, &pb.AppendRequest{UserId: user, Key: "g", Value: "Hello"})
	require.NoError(t, err)
	assert.Equal(t, int64(5), r.Length)
	r, err = c.Append(ctx, &pb.AppendRequest{UserId: user, Key: "g", Value: " World"})
	require.NoError(t, err)
	assert.Equal(t, int64(11), r.Length)
	got, err := c.Get(ctx, &pb.GetRequest{UserId: user, Key: "g"})
	require.NoError(t, err)
	assert.Equal(t, "Hello World", got.Value)
}

func TestStringLimits(t *testing.T) {
	h := newHarness(t, Options{Limits: Limits{MaxKeyBytes: 8, MaxValueBytes: 16, MaxElements: 3}})
	ctx := testCtx(t)
	c := h.client
	long := strings.Repeat("x", 17)

	_, err := c.Set(ctx, &pb.SetRequest{UserId: user, Key: "123456789", Value: "v"})
	requireCode(t, err, codes.ResourceExhausted, "key is 9 bytes, above the limit of 8 bytes")
	_, err = c.Set(ctx, &pb.SetRequest{UserId: user, Key: "k", Value: long})
	requireCode(t, err, codes.ResourceExhausted, "value is 17 bytes, above the limit of 16 bytes")
	_, err = c.Append(ctx, &pb.AppendRequest{UserId: user, Key: "k", Value: long})
	requireCode(t, err, codes.ResourceExhausted, "value is 17 bytes")
	_, err = c.GetMultiple(ctx, &pb.GetMultipleRequest{UserId: user, Keys: []string{"a", "b", "c", "d"}})
	requireCode(t, err, codes.ResourceExhausted, "4 keys in one request, above the limit of 3")

	// Nothing was written, and no log line shows the refused value.
	n, err := h.eng.DB(namespace(Tenant{User: user})).DBSize()
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.NotContains(t, h.logs.String(), long)
}

// emptyBackend answers Get and Set without work: the handler cost alone.
type emptyBackend struct{ Backend }

func (emptyBackend) Get(context.Context, Tenant, string) (string, bool, error) { return "v", true, nil }
func (emptyBackend) Set(context.Context, Tenant, string, string, time.Duration) error {
	return nil
}

// BenchmarkHandler measures the server side of Get and Set without the
// transport: the handler over the engine next to the handler over a
// backend that does nothing. Their difference is all the engine can cost
// an RPC; the transport (bench/cmd/grpcload) costs tens of microseconds.
func BenchmarkHandler(b *testing.B) {
	eng, err := engine.Open(engine.Options{})
	require.NoError(b, err)
	b.Cleanup(func() { _ = eng.Close() })
	lim, err := Limits{}.withDefaults(DefaultMaxMessageBytes)
	require.NoError(b, err)
	value := strings.Repeat("v", 100)
	keys := make([]string, 10000)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%06d", i)
		_, err := eng.DB(namespace(Tenant{User: "bench"})).Set(keys[i], value, engine.SetOptions{})
		require.NoError(b, err)
	}
	for _, bk := range []struct {
		name string
		b    Backend
	}{{"empty", emptyBackend{}}, {"engine", NewEngineBackend(eng)}} {
		svc := &service{b: bk.b, lim: lim}
		b.Run("Get/"+bk.name, func(b *testing.B) {
			b.RunParallel(func(p *testing.PB) {
				ctx, i := context.Background(), 0
				for p.Next() {
					i++
					if _, err := svc.Get(ctx, &pb.GetRequest{UserId: "bench", Key: keys[i%len(keys)]}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
		b.Run("Set/"+bk.name, func(b *testing.B) {
			b.RunParallel(func(p *testing.PB) {
				ctx, i := context.Background(), 0
				for p.Next() {
					i++
					if _, err := svc.Set(ctx, &pb.SetRequest{UserId: "bench", Key: keys[i%len(keys)], Value: value}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
