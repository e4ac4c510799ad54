package client

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// failFirst answers UNAVAILABLE to the first n calls, then resp.
func failFirst(n int32, resp proto.Message) func(context.Context, proto.Message) (proto.Message, error) {
	var calls atomic.Int32
	return func(context.Context, proto.Message) (proto.Message, error) {
		if calls.Add(1) <= n {
			return nil, status.Error(codes.Unavailable, "restarting")
		}
		return resp, nil
	}
}

func TestReadsRetriedOnUnavailable(t *testing.T) {
	f, c := startFake(t, WithRetries(5, time.Millisecond, 4*time.Millisecond))
	f.on("Get", failFirst(2, &pb.GetResponse{Found: true, Value: "v"}))
	v, err := c.Get(testCtx(t), "k")
	require.NoError(t, err)
	require.Equal(t, "v", v)
	require.Equal(t, 3, f.count("Get"))
}

func TestWritesNeverRetried(t *testing.T) {
	f, c := startFake(t, WithRetries(5, time.Millisecond, 4*time.Millisecond))
	for _, m := range []string{"Set", "Increment", "LPush"} {
		f.on(m, failFirst(1, nil))
	}
	require.ErrorIs(t, c.Set(testCtx(t), "k", "v"), ErrUnavailable)
	_, err := c.Incr(testCtx(t), "n")
	require.ErrorIs(t, err, ErrUnavailable)
	_, err = c.LPush(testCtx(t), "l", "x")
	require.ErrorIs(t, err, ErrUnavailable)
	for _, m := range []string{"Set", "Increment", "LPush"} {
		require.Equal(t, 1, f.count(m), m)
	}
}

func TestRetryLimits(t *testing.T) {
	t.Run("gives up after max attempts with the last error", func(t *testing.T) {
		f, c := startFake(t, WithRetries(3, time.Millisecond, time.Millisecond))
		f.on("HGetAll", fail(codes.Unavailable, "down"))
		_, err := c.HGetAll(testCtx(t), "h")
		require.ErrorIs(t, err, ErrUnavailable)
		require.Equal(t, 3, f.count("HGetAll"))
	})
	t.Run("other codes are not retried", func(t *testing.T) {
		f, c := startFake(t, WithRetries(3, time.Millisecond, time.Millisecond))
		f.on("Get", fail(codes.Internal, "bug"))
		_, err := c.Get(testCtx(t), "k")
		require.ErrorIs(t, err, ErrInternal)
		require.Equal(t, 1, f.count("Get"))
	})
	t.Run("one attempt disables retries", func(t *testing.T) {
		f, c := startFake(t, WithRetries(1, time.Millisecond, time.Millisecond))
		f.on("Get", fail(codes.Unavailable, "down"))
		_, err := c.Get(testCtx(t), "k")
		require.ErrorIs(t, err, ErrUnavailable)
		require.Equal(t, 1, f.count("Get"))
	})
	t.Run("the context bounds the backoff", func(t *testing.T) {
		f, c := startFake(t, WithRetries(100, time.Hour, time.Hour))
		f.on("Get", fail(codes.Unavailable, "down"))
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := c.Get(ctx, "k")
		require.ErrorIs(t, err, ErrUnavailable, "the last attempt's error, not the context's")
		require.Equal(t, 1, f.count("Get"))
	})
}

func TestBackoff(t *testing.T) {
	p := retryPolicy{base: 10 * time.Millisecond, max: 100 * time.Millisecond}
	for attempt, ceiling := range map[int]time.Duration{
		1: 10 * time.Millisecond, 2: 20 * time.Millisecond, 3: 40 * time.Millisecond,
		4: 80 * time.Millisecond, 5: 100 * time.Millisecond, 40: 100 * time.Millisecond,
	} {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := p.backoff(attempt)
			require.GreaterOrEqual(t, d, ceiling/2, "attempt %d", attempt)
			require.LessOrEqual(t, d, ceiling, "attempt %d", attempt)
			seen[d] = true
		}
		require.Greater(t, len(seen), 1, "attempt %d: jitter must vary the pause", attempt)
	}
}

// TestRetryAllowList classifies every RPC of the service: a new RPC must
// be put on one side or the other on purpose.
func TestRetryAllowList(t *testing.T) {
	writes := map[string]bool{
		"Set": true, "SetWithExpiration": true, "Increment": true, "Decrement": true, "Append": true,
		"Delete": true, "DeleteMultiple": true, "Expire": true, "Rename": true,
		"HSet": true, "HDelete": true, "HIncrement": true,
		"LPush": true, "RPush": true, "LPop": true, "RPop": true, "LTrim": true,
		"SAdd": true, "SRemove": true, "ZAdd": true, "ZRemove": true, "ZIncrement": true,
		"AcquireLock": true, "ReleaseLock": true, "RenewLock": true,
		"Publish": true, "Subscribe": true, "Unsubscribe": true, "ExecuteBatch": true,
		"CreateSession": true, "UpdateSession": true, "DeleteSession": true,
	}
	methods := service.Methods()
	reads := 0
	for i := range methods.Len() {
		name := string(methods.Get(i).Name())
		full := "/isa.redis.RedisService/" + name
		require.NotEqual(t, writes[name], idempotent[full], "%s must be exactly one of write or retryable read", name)
		if idempotent[full] {
			reads++
		}
	}
	require.Equal(t, len(idempotent), reads, "the allow-list names only RPCs of the service")
}
