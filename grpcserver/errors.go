package grpcserver

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/pubsub"
)

// errorCodes is THE table from engine error kinds to gRPC codes (spec
// section 5.2). Every error a Backend returns is one of engine's sentinels
// (or wraps one), whatever the backend: a Redis backend translates Redis's
// replies into the same sentinels, so this table is the only place that
// decides codes. TestErrorTableCoversEngine fails when engine.Errors() has
// a kind this table lacks.
var errorCodes = map[string]codes.Code{
	engine.ErrWrongType.Kind():       codes.FailedPrecondition,
	engine.ErrNotInteger.Kind():      codes.InvalidArgument,
	engine.ErrNotFloat.Kind():        codes.InvalidArgument,
	engine.ErrOverflow.Kind():        codes.OutOfRange,
	engine.ErrNaNOrInf.Kind():        codes.OutOfRange,
	engine.ErrNoSuchKey.Kind():       codes.NotFound,
	engine.ErrSyntax.Kind():          codes.InvalidArgument,
	engine.ErrInvalidExpire.Kind():   codes.InvalidArgument,
	engine.ErrInvalidArgument.Kind(): codes.InvalidArgument,
	engine.ErrTooLarge.Kind():        codes.ResourceExhausted,
	engine.ErrOOM.Kind():             codes.ResourceExhausted,
	engine.ErrClosed.Kind():          codes.Unavailable,
	engine.ErrUnknownCommand.Kind():  codes.InvalidArgument,
	engine.ErrInternal.Kind():        codes.Internal,
}

// streamCodes maps the reasons a subscription ends abnormally (see
// Subscription.Err): the broker's errors, which any backend reports.
var streamCodes = []struct {
	err  error
	code codes.Code
}{
	{pubsub.ErrSlowConsumer, codes.ResourceExhausted},
	{pubsub.ErrBrokerClosed, codes.Unavailable},
}

// toStatus turns a backend error into the status the client receives: the
// code from errorCodes and the Redis text as the message. Errors that are
// already statuses pass through; context errors keep their meaning; any
// other error is a bug and becomes INTERNAL (logged by the logging
// interceptor like every failed RPC).
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	var e *engine.Error
	if errors.As(err, &e) {
		if c, ok := errorCodes[e.Kind()]; ok {
			return status.Error(c, e.Error())
		}
		return status.Error(codes.Internal, "unmapped engine error: "+e.Error())
	}
	for _, sc := range streamCodes {
		if errors.Is(err, sc.err) {
			return status.Error(sc.code, err.Error())
		}
	}
	if s, ok := status.FromError(err); ok {
		return s.Err()
	}
	switch {
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	return status.Error(codes.Internal, err.Error())
}
