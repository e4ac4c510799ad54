package grpcserver

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// healthService is grpc-go's health server with Watch streams that end
// cleanly at shutdown: grpc-go's Watch runs until the client leaves, which
// would hold GracefulStop until its timeout. At shutdown a watcher receives
// NOT_SERVING (possibly twice) and then the end of the stream.
type healthService struct {
	*health.Server
	quit <-chan struct{}
}

// Watch implements healthpb.HealthServer.
func (h healthService) Watch(req *healthpb.HealthCheckRequest, stream grpc.ServerStreamingServer[healthpb.HealthCheckResponse]) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	go func() {
		select {
		case <-h.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	err := h.Server.Watch(req, ctxStream[healthpb.HealthCheckResponse]{stream, ctx})
	select {
	case <-h.quit:
		// grpc-go's loop may have seen the cancellation before the
		// NOT_SERVING update: say it once more, then end the stream.
		return stream.Send(&healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_NOT_SERVING})
	default:
		return err
	}
}

// ctxStream replaces a server stream's context.
type ctxStream[T any] struct {
	grpc.ServerStreamingServer[T]
	ctx context.Context
}

func (s ctxStream[T]) Context() context.Context { return s.ctx }
