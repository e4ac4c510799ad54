package redisbackend

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/isa-cloud/isa-memstore/engine"
)

func TestReplyError(t *testing.T) {
	for _, tc := range []struct {
		reply string
		kind  *engine.Error // nil: UNAVAILABLE
		exact bool          // the engine error has exactly the reply's text
	}{
		{"WRONGTYPE Operation against a key holding the wrong kind of value", engine.ErrWrongType, true},
		{"ERR value is not an integer or out of range", engine.ErrNotInteger, true},
		{"ERR hash value is not an integer", engine.ErrNotInteger, true},
		{"ERR value is not a valid float", engine.ErrNotFloat, true},
		{"ERR min or max is not a float", engine.ErrNotFloat, true},
		{"ERR increment or decrement would overflow", engine.ErrOverflow, true},
		{"ERR decrement would overflow", engine.ErrOverflow, true},
		{"ERR resulting score is not a number (NaN)", engine.ErrNaNOrInf, true},
		{"ERR no such key", engine.ErrNoSuchKey, true},
		{"ERR invalid expire time in 'set' command", engine.ErrInvalidExpire, true},
		{"ERR invalid expire time in 'pexpire' command", engine.ErrInvalidExpire, true},
		{"ERR wrong number of arguments for 'hset' command", engine.ErrInvalidArgument, true},
		{"ERR wrong number of arguments for 'sunion' command", engine.ErrInvalidArgument, true},
		{"ERR string exceeds maximum allowed size (proto-max-bulk-len)", engine.ErrTooLarge, true},
		{"OOM command not allowed when used memory > 'maxmemory'.", engine.ErrOOM, true},
		{"ERR syntax error", engine.ErrSyntax, true},
		// Not in the catalogue: the right kind, the sentinel's text.
		{"ERR wrong number of arguments for 'frob' command", engine.ErrInvalidArgument, false},
		{"WRONGTYPE something new", engine.ErrWrongType, false},
		// Redis cannot serve now.
		{"LOADING Redis is loading the dataset in memory", nil, false},
		{"CLUSTERDOWN The cluster is down", nil, false},
		{"READONLY You can't write against a read only replica.", nil, false},
		{"MASTERDOWN Link with MASTER is down", nil, false},
		{"TRYAGAIN Multiple keys request during rehashing of slot", nil, false},
	} {
		err, ok := replyError(tc.reply)
		if tc.kind == nil {
			assert.False(t, ok, "%q means unavailable", tc.reply)
			continue
		}
		require.True(t, ok, tc.reply)
		assert.ErrorIs(t, err, tc.kind, tc.reply)
		if tc.exact {
			assert.Equal(t, tc.reply, err.Error(), "the engine's error with Redis's exact text")
		}
	}
	err, ok := replyError("NOPERM this user has no permissions")
	require.True(t, ok)
	var e *engine.Error
	assert.False(t, errors.As(err, &e), "an unexpected reply is no engine error (INTERNAL at the edge)")
	assert.Contains(t, err.Error(), "NOPERM")
}

func TestEngineText(t *testing.T) {
	err := engineText("ERR invalid lock ttl: must not be negative", engine.ErrInvalidArgument)
	assert.Equal(t, "ERR invalid lock ttl: must not be negative", err.Error())
	assert.ErrorIs(t, err, engine.ErrInvalidArgument)
	err = engineText("ERR never worded like this", engine.ErrSyntax)
	assert.Same(t, engine.ErrSyntax, err)
}

func TestTranslate(t *testing.T) {
	b := &Backend{kick: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	assert.NoError(t, b.translate(ctx, nil))

	err := b.translate(ctx, errors.New("dial tcp 127.0.0.1:1: connect: connection refused"))
	assert.Equal(t, codes.Unavailable, status.Code(err))
	assert.Contains(t, status.Convert(err).Message(), "connection refused")
	select {
	case <-b.kick:
	default:
		t.Error("a transport error must wake the health monitor")
	}

	cancel()
	assert.ErrorIs(t, b.translate(ctx, errors.New("i/o")), context.Canceled, "the caller's cancellation wins")
}
