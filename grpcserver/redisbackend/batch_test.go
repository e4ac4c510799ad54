package redisbackend

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
)

func TestBatchOpName(t *testing.T) {
	for in, want := range map[string]string{
		"SET": "set", "set": "set", "GeT": "get", "DELETE": "del", "del": "del",
		"INCR": "incr", "decr": "decr", "Expire": "expire", "APPEND": "append", "HSET": "hset", "hget": "hget",
	} {
		got, ok := batchOpName(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"FROB", "", "MSET", "ſet", "SETSETSETSETSETSETSET"} {
		_, ok := batchOpName(in)
		assert.False(t, ok, "%q is not an operation (the engine lowers ASCII only)", in)
	}
}

// TestBatchIsAtomic: batches that move a unit from a to b, racing with
// MGETs of both: no reader ever sees the sum change.
func TestBatchIsAtomic(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *Backend{"standalone": standalone, "cluster": cluster} {
		t.Run(name, func(t *testing.T) {
			b := open(t)
			ctx := testCtx(t)
			tn := freshTenant()
			require.NoError(t, b.Set(ctx, tn, "a", "1000", time.Hour))
			require.NoError(t, b.Set(ctx, tn, "b", "0", time.Hour))
			move := []grpcserver.BatchOp{{Op: "DECR", Key: "a"}, {Op: "INCR", Key: "b"}}
			var wg sync.WaitGroup
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 50 {
						errs, err := b.ExecuteBatch(ctx, tn, move)
						if !assert.NoError(t, err) || !assert.Equal(t, []error{nil, nil}, errs) {
							return
						}
					}
				}()
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			for reads := 0; ; reads++ {
				kvs, err := b.GetMultiple(ctx, tn, []string{"a", "b"})
				require.NoError(t, err)
				require.Len(t, kvs, 2)
				x, _ := engine.ParseInt(kvs[0].Value)
				y, _ := engine.ParseInt(kvs[1].Value)
				require.Equal(t, int64(1000), x+y, "a partial batch was visible after %d reads", reads)
				select {
				case <-done:
					v, _, err := b.Get(ctx, tn, "b")
					require.NoError(t, err)
					assert.Equal(t, "200", v)
					return
				default:
				}
			}
		})
	}
}

func TestBatchErrorsPerOperation(t *testing.T) {
	b := standalone(t)
	ctx := testCtx(t)
	tn := freshTenant()
	require.NoError(t, b.Set(ctx, tn, "text", "abc", time.Hour))
	errs, err := b.ExecuteBatch(ctx, tn, []grpcserver.BatchOp{
		{Op: "SET", Key: "ok", Value: "1", TTL: time.Hour},
		{Op: "FROB", Key: "x"},
		{Op: "INCR", Key: "text"},
		{Op: "SET", Key: "neg", Value: "1", TTL: -time.Second},
		{Op: "HGET", Key: "text"},
		{Op: "EXPIRE", Key: "ok", TTL: -time.Second},
	})
	require.NoError(t, err)
	require.Len(t, errs, 6)
	assert.NoError(t, errs[0])
	assert.ErrorIs(t, errs[1], engine.ErrUnknownCommand)
	assert.EqualError(t, errs[2], "ERR value is not an integer or out of range")
	assert.ErrorIs(t, errs[2], engine.ErrNotInteger)
	assert.EqualError(t, errs[3], "ERR invalid expire time in 'set' command")
	assert.ErrorIs(t, errs[4], engine.ErrWrongType)
	assert.NoError(t, errs[5], "EXPIRE <= 0 deletes")
	_, found, err := b.Get(ctx, tn, "ok")
	require.NoError(t, err)
	assert.False(t, found)

	errs, err = b.ExecuteBatch(ctx, tn, nil)
	require.NoError(t, err)
	assert.Empty(t, errs)
}
