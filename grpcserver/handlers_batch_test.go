package grpcserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestExecuteBatch(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	_, err := c.Set(ctx, &pb.SetRequest{UserId: user, Key: "text", Value: "abc"})
	require.NoError(t, err)
	r, err := c.ExecuteBatch(ctx, &pb.RedisBatchRequest{UserId: user, Commands: []*pb.BatchCommand{
		{Operation: "SET", Key: "a", Value: "1"},
		{Operation: "set", Key: "b", Value: "2", Expiration: durationpb.New(300 * time.Second)},
		{Operation: "GET", Key: "a"},
		{Operation: "GET", Key: "missing"},
		{Operation: "Incr", Key: "n"},
		{Operation: "DECR", Key: "n"},
		{Operation: "APPEND", Key: "a", Value: "x"},
		{Operation: "EXPIRE", Key: "a", Expiration: durationpb.New(time.Hour)},
		{Operation: "DELETE", Key: "text"},
	}})
	require.NoError(t, err)
	assert.True(t, r.Success, "errors: %v", r.Errors)
	assert.Equal(t, int32(9), r.ExecutedCount)
	assert.Empty(t, r.Errors)
	for key, want := range map[string]int64{"a": 3600, "b": 300, "n": -1, "text": -2} {
		ttl, err := c.GetTTL(ctx, &pb.GetTTLRequest{UserId: user, Key: key})
		require.NoError(t, err)
		assert.Equal(t, want, ttl.TtlSeconds, key)
	}
	got, err := c.Get(ctx, &pb.GetRequest{UserId: user, Key: "a"})
	require.NoError(t, err)
	assert.Equal(t, "1x", got.Value)

	_, err = c.Set(ctx, &pb.SetRequest{UserId: user, Key: "text", Value: "abc"})
	require.NoError(t, err)
	r, err = c.ExecuteBatch(ctx, &pb.RedisBatchRequest{UserId: user, Commands: []*pb.BatchCommand{
		{Operation: "FROB", Key: "x"},
		{Operation: "INCR", Key: "text"},
		{Operation: "SET", Key: "neg", Value: "v", Expiration: durationpb.New(-time.Second)},
		{Operation: "SET", Key: "after", Value: "ok"},
	}})
	require.NoError(t, err)
	assert.False(t, r.Success)
	assert.Equal(t, int32(1), r.ExecutedCount)
	assert.Equal(t, []string{
		"unknown operation: FROB",
		"INCR failed for text: ERR value is not an integer or out of range",
		"SET failed for neg: ERR invalid expire time in 'set' command",
	}, r.Errors)
	got, err = c.Get(ctx, &pb.GetRequest{UserId: user, Key: "after"})
	require.NoError(t, err)
	assert.True(t, got.Found, "commands after a failure still run")

	empty, err := c.ExecuteBatch(ctx, &pb.RedisBatchRequest{UserId: user})
	require.NoError(t, err)
	assert.True(t, empty.Success)
	assert.Zero(t, empty.ExecutedCount)
}

func TestExecuteBatchLimits(t *testing.T) {
	h := newHarness(t, Options{Limits: Limits{MaxElements: 2, MaxKeyBytes: 3}})
	ctx := testCtx(t)
	c := h.client
	three := []*pb.BatchCommand{{Operation: "SET", Key: "a"}, {Operation: "SET", Key: "b"}, {Operation: "SET", Key: "c"}}
	_, err := c.ExecuteBatch(ctx, &pb.RedisBatchRequest{UserId: user, Commands: three})
	requireCode(t, err, codes.ResourceExhausted, "3 commands in one request")
	_, err = c.ExecuteBatch(ctx, &pb.RedisBatchRequest{UserId: user, Commands: []*pb.BatchCommand{{Operation: "SET", Key: "a"}, {Operation: "SET", Key: "long"}}})
	requireCode(t, err, codes.ResourceExhausted, "key is 4 bytes")
	_, err = c.ExecuteBatch(ctx, &pb.RedisBatchRequest{UserId: user, Commands: []*pb.BatchCommand{{Operation: "SET", Key: "a", Expiration: &durationpb.Duration{Seconds: 1, Nanos: -1}}}})
	requireCode(t, err, codes.InvalidArgument, "expiration is not a valid duration")
	ex, err := c.Exists(ctx, &pb.ExistsRequest{UserId: user, Key: "a"})
	require.NoError(t, err)
	assert.False(t, ex.Exists, "a refused batch runs nothing")
}
