package client

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Nil is the error every single-value read returns when the value is absent:
// a missing key, hash field, list element, sorted-set member, session or key
// TTL. It is the client's only "not found" convention, as in go-redis:
//
//	v, err := c.Get(ctx, "k")
//	if errors.Is(err, client.Nil) { /* no such key */ }
//
// Reads that answer a collection (HGetAll, LRange, SMembers, MGet, ...)
// answer an empty one instead, and yes/no questions (Exists, HExists,
// SIsMember) answer false; neither returns Nil. Nil is not a server error:
// it carries no gRPC status.
//
//lint:ignore ST1012 named after go-redis's redis.Nil, which Go users know.
var Nil = errors.New("memstore: nil")

// Sentinels for the errors the server reports, matched with errors.Is. An
// error from a call is an *Error that matches the sentinel of its Redis kind
// (ErrWrongType, ErrNotInteger, ...) when the server's text names one, and
// the sentinel of its gRPC code (ErrInvalidArgument, ErrUnavailable, ...)
// in every case; errors.Is(err, ErrNotInteger) and
// errors.Is(err, ErrInvalidArgument) are therefore both true for INCR on a
// non-numeric value.
var (
	// ErrWrongType is WRONGTYPE: the key holds another type (FAILED_PRECONDITION).
	ErrWrongType = errors.New("memstore: wrong type")
	// ErrNotInteger is "ERR value is not an integer or out of range" (INVALID_ARGUMENT).
	ErrNotInteger = errors.New("memstore: not an integer")
	// ErrNotFloat is "ERR value is not a valid float" (INVALID_ARGUMENT).
	ErrNotFloat = errors.New("memstore: not a float")
	// ErrOverflow is an increment that would overflow or produce NaN or an
	// infinity (OUT_OF_RANGE).
	ErrOverflow = errors.New("memstore: overflow")
	// ErrNoSuchKey is a command that needs an existing key, such as Rename
	// of a missing key (NOT_FOUND).
	ErrNoSuchKey = errors.New("memstore: no such key")

	// ErrInvalidArgument is any INVALID_ARGUMENT: a malformed request, a
	// value of the wrong form, a limit the request itself breaks.
	ErrInvalidArgument = errors.New("memstore: invalid argument")
	// ErrOutOfRange is any OUT_OF_RANGE.
	ErrOutOfRange = errors.New("memstore: out of range")
	// ErrPermissionDenied is PERMISSION_DENIED, for example an empty user id.
	ErrPermissionDenied = errors.New("memstore: permission denied")
	// ErrUnauthenticated is UNAUTHENTICATED: a missing or wrong bearer token.
	ErrUnauthenticated = errors.New("memstore: unauthenticated")
	// ErrResourceExhausted is RESOURCE_EXHAUSTED: a size or memory limit, or
	// a subscriber disconnected for not keeping up.
	ErrResourceExhausted = errors.New("memstore: resource exhausted")
	// ErrUnavailable is UNAVAILABLE: the server is unreachable or shutting
	// down. Reads are retried on it (see WithRetries); writes never are.
	ErrUnavailable = errors.New("memstore: unavailable")
	// ErrInternal is INTERNAL: a server bug.
	ErrInternal = errors.New("memstore: internal server error")
	// ErrUnimplemented is UNIMPLEMENTED: the server lacks the RPC.
	ErrUnimplemented = errors.New("memstore: unimplemented")
)

// codeSentinels gives each gRPC code the sentinel that stands for it.
// FAILED_PRECONDITION has none: its only use is WRONGTYPE, recognised by
// text.
// DeadlineExceeded and Canceled map to the context errors so that
// errors.Is(err, context.DeadlineExceeded) holds for a call that ran out of
// time, whichever side noticed first.
var codeSentinels = map[codes.Code]error{
	codes.InvalidArgument:   ErrInvalidArgument,
	codes.OutOfRange:        ErrOutOfRange,
	codes.NotFound:          ErrNoSuchKey,
	codes.PermissionDenied:  ErrPermissionDenied,
	codes.Unauthenticated:   ErrUnauthenticated,
	codes.ResourceExhausted: ErrResourceExhausted,
	codes.Unavailable:       ErrUnavailable,
	codes.Internal:          ErrInternal,
	codes.Unimplemented:     ErrUnimplemented,
	codes.DeadlineExceeded:  context.DeadlineExceeded,
	codes.Canceled:          context.Canceled,
}

// redisKinds recognises the Redis error texts the server puts in its status
// messages (and ExecuteBatch in its per-command errors). The code is the one
// spec section 5.2 assigns to the kind; it is used when the text arrives
// without a status, as ExecuteBatch's errors do.
var redisKinds = []struct {
	prefix string
	kind   error
	code   codes.Code
}{
	{"WRONGTYPE", ErrWrongType, codes.FailedPrecondition},
	{"ERR value is not an integer", ErrNotInteger, codes.InvalidArgument},
	{"ERR value is not a valid float", ErrNotFloat, codes.InvalidArgument},
	{"ERR increment or decrement would overflow", ErrOverflow, codes.OutOfRange},
	{"ERR increment would produce NaN or Infinity", ErrOverflow, codes.OutOfRange},
	{"ERR no such key", ErrNoSuchKey, codes.NotFound},
	{"ERR string exceeds maximum allowed size", nil, codes.ResourceExhausted},
	{"OOM ", nil, codes.ResourceExhausted},
}

// Error is a failed call: the server's (or the transport's) gRPC status and
// the Redis kind its text names, if any. It matches the sentinels above with
// errors.Is, and status.Code / status.FromError see its status through
// GRPCStatus.
type Error struct {
	st   *status.Status
	kind error // a Redis-kind sentinel, or nil
}

// Error returns the server's message (the Redis error text for command
// errors) with the gRPC code.
func (e *Error) Error() string {
	return fmt.Sprintf("memstore: %s (%s)", e.st.Message(), e.st.Code())
}

// Code is the gRPC status code.
func (e *Error) Code() codes.Code { return e.st.Code() }

// Message is the server's message; for command errors, the Redis text
// (for example "WRONGTYPE Operation against a key holding the wrong kind of
// value").
func (e *Error) Message() string { return e.st.Message() }

// GRPCStatus makes status.Code(err) and status.FromError(err) work on
// errors returned by the client.
func (e *Error) GRPCStatus() *status.Status { return e.st }

// Is matches the Redis-kind sentinel and the code sentinel of the error.
func (e *Error) Is(target error) bool {
	if target == nil {
		return false
	}
	return target == e.kind || target == codeSentinels[e.st.Code()]
}

// fromStatus turns a status error into an *Error; nil stays nil and errors
// that carry no status (none should reach here) are returned unchanged.
func fromStatus(err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return err
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	e := &Error{st: st}
	for _, k := range redisKinds {
		if strings.HasPrefix(st.Message(), k.prefix) {
			e.kind = k.kind
			break
		}
	}
	return e
}

// fromRedisText builds an *Error from a bare Redis error text, as found in
// ExecuteBatch's per-command errors, giving it the code the server would
// have used for the same error on a single call (UNKNOWN when the text names
// no known kind).
func fromRedisText(text string) *Error {
	for _, k := range redisKinds {
		if strings.HasPrefix(text, k.prefix) {
			return &Error{st: status.New(k.code, text), kind: k.kind}
		}
	}
	return &Error{st: status.New(codes.Unknown, text)}
}
