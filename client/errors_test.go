package client

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestFromStatus(t *testing.T) {
	all := []error{
		ErrWrongType, ErrNotInteger, ErrNotFloat, ErrOverflow, ErrNoSuchKey, ErrInvalidArgument, ErrOutOfRange,
		ErrPermissionDenied, ErrUnauthenticated, ErrResourceExhausted, ErrUnavailable, ErrInternal, ErrUnimplemented,
		context.DeadlineExceeded, context.Canceled, Nil,
	}
	for _, tc := range []struct {
		code codes.Code
		msg  string
		is   []error
	}{
		{codes.FailedPrecondition, "WRONGTYPE Operation against a key holding the wrong kind of value", []error{ErrWrongType}},
		{codes.InvalidArgument, "ERR value is not an integer or out of range", []error{ErrNotInteger, ErrInvalidArgument}},
		{codes.InvalidArgument, "ERR value is not a valid float", []error{ErrNotFloat, ErrInvalidArgument}},
		{codes.InvalidArgument, "ERR syntax error", []error{ErrInvalidArgument}},
		{codes.OutOfRange, "ERR increment or decrement would overflow", []error{ErrOverflow, ErrOutOfRange}},
		{codes.OutOfRange, "ERR increment would produce NaN or Infinity", []error{ErrOverflow, ErrOutOfRange}},
		{codes.NotFound, "ERR no such key", []error{ErrNoSuchKey}},
		{codes.PermissionDenied, "user_id is required", []error{ErrPermissionDenied}},
		{codes.Unauthenticated, "invalid bearer token", []error{ErrUnauthenticated}},
		{codes.ResourceExhausted, "OOM command not allowed when used memory > 'maxmemory'.", []error{ErrResourceExhausted}},
		{codes.ResourceExhausted, "subscriber too slow", []error{ErrResourceExhausted}},
		{codes.Unavailable, "shutting down", []error{ErrUnavailable}},
		{codes.Internal, "bug", []error{ErrInternal}},
		{codes.Unimplemented, "no", []error{ErrUnimplemented}},
		{codes.DeadlineExceeded, "too slow", []error{context.DeadlineExceeded}},
		{codes.Canceled, "gone", []error{context.Canceled}},
		{codes.Unknown, "what", nil},
	} {
		t.Run(tc.code.String()+"/"+tc.msg, func(t *testing.T) {
			err := fromStatus(status.Error(tc.code, tc.msg))
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.code, status.Code(err))
			require.Equal(t, tc.code, e.Code())
			require.Equal(t, tc.msg, e.Message())
			require.Contains(t, err.Error(), tc.msg)
			// Wrapped further by a caller, both still work.
			wrapped := fmt.Errorf("loading profile: %w", err)
			require.Equal(t, tc.code, status.Code(wrapped))
			for _, s := range all {
				want := false
				for _, w := range tc.is {
					want = want || w == s
				}
				require.Equal(t, want, errors.Is(wrapped, s), "errors.Is(%v, %v)", err, s)
			}
		})
	}
	require.NoError(t, fromStatus(nil))
	plain := errors.New("not a status")
	require.Equal(t, plain, fromStatus(plain), "errors without a status pass through")
	already := fromStatus(status.Error(codes.Internal, "x"))
	require.Same(t, already, fromStatus(already), "no double wrapping")
}

func TestFromRedisText(t *testing.T) {
	for _, tc := range []struct {
		text string
		code codes.Code
		is   error
	}{
		{"WRONGTYPE Operation against a key holding the wrong kind of value", codes.FailedPrecondition, ErrWrongType},
		{"ERR value is not an integer or out of range", codes.InvalidArgument, ErrNotInteger},
		{"ERR increment or decrement would overflow", codes.OutOfRange, ErrOverflow},
		{"ERR string exceeds maximum allowed size (proto-max-bulk-len)", codes.ResourceExhausted, ErrResourceExhausted},
		{"OOM command not allowed when used memory > 'maxmemory'.", codes.ResourceExhausted, ErrResourceExhausted},
		{"something else", codes.Unknown, nil},
	} {
		e := fromRedisText(tc.text)
		require.Equal(t, tc.code, status.Code(e), tc.text)
		require.Equal(t, tc.text, e.Message())
		if tc.is != nil {
			require.ErrorIs(t, e, tc.is, tc.text)
		}
	}
}

func TestErrorsReachCallers(t *testing.T) {
	f, c := startFake(t)
	f.on("Increment", fail(codes.InvalidArgument, "ERR value is not an integer or out of range"))
	_, err := c.Incr(testCtx(t), "k")
	require.ErrorIs(t, err, ErrNotInteger)
	require.ErrorIs(t, err, ErrInvalidArgument)
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	require.NotErrorIs(t, err, Nil)

	f.on("Rename", fail(codes.NotFound, "ERR no such key"))
	require.ErrorIs(t, c.Rename(testCtx(t), "a", "b"), ErrNoSuchKey)

	f.on("Get", fail(codes.FailedPrecondition, "WRONGTYPE Operation against a key holding the wrong kind of value"))
	v, err := c.Get(testCtx(t), "h")
	require.ErrorIs(t, err, ErrWrongType)
	require.NotErrorIs(t, err, Nil, "a server error is never a missing value")
	require.Empty(t, v)
}
