package grpcserver

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// logUnary writes one line per failed call (and, at debug level, one per
// successful call): method, code, duration and tenant. Never a key or a
// value: the status messages built here and in errors.go carry none.
func (s *Server) logUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := handler(ctx, req)
	s.logCall(ctx, info.FullMethod, req, start, err)
	return resp, err
}

// logStream is logUnary for streams; the tenant comes from the first
// message the handler receives.
func (s *Server) logStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	start := time.Now()
	w := &firstMsgStream{ServerStream: ss}
	err := handler(srv, w)
	s.logCall(ss.Context(), info.FullMethod, w.first.Load(), start, err)
	return err
}

func (s *Server) logCall(ctx context.Context, method string, req any, start time.Time, err error) {
	level := slog.LevelDebug
	code := codes.OK
	if err != nil {
		code = status.Code(err)
		level = slog.LevelWarn
		switch code {
		case codes.Internal, codes.Unknown, codes.DataLoss:
			level = slog.LevelError
		case codes.Canceled:
			level = slog.LevelInfo // the client left: not a fault
		}
	}
	if !s.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("code", code.String()),
		slog.Duration("duration", time.Since(start)),
	}
	if t, ok := req.(tenantRequest); ok {
		attrs = append(attrs, slog.String("org", t.GetOrganizationId()), slog.String("user", t.GetUserId()))
	} else if u, ok := req.(userRequest); ok {
		attrs = append(attrs, slog.String("user", u.GetUserId()))
	}
	msg := "rpc"
	if err != nil {
		msg = "rpc failed"
		attrs = append(attrs, slog.String("error", status.Convert(err).Message()))
	}
	s.log.LogAttrs(ctx, level, msg, attrs...)
}

// firstMsgStream remembers the first message received, for the log line.
type firstMsgStream struct {
	grpc.ServerStream
	first atomic.Value
}

func (w *firstMsgStream) RecvMsg(m any) error {
	err := w.ServerStream.RecvMsg(m)
	if err == nil && w.first.Load() == nil {
		w.first.Store(m)
	}
	return err
}

// recoverUnary turns a panic in a handler into INTERNAL and logs it with
// its stack, so that one bad request cannot take the server down.
func (s *Server) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = s.panicked(info.FullMethod, p)
		}
	}()
	return handler(ctx, req)
}

// recoverStream is recoverUnary for streams.
func (s *Server) recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = s.panicked(info.FullMethod, p)
		}
	}()
	return handler(srv, ss)
}

func (s *Server) panicked(method string, p any) error {
	s.log.Error("panic in handler", slog.String("method", method),
		slog.String("panic", fmt.Sprint(p)), slog.String("stack", string(debug.Stack())))
	return status.Error(codes.Internal, "internal error")
}
