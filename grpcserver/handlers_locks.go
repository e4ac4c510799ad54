package grpcserver

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// AcquireLock implements RedisService.AcquireLock.
func (s *service) AcquireLock(ctx context.Context, req *pb.AcquireLockRequest) (*pb.AcquireLockResponse, error) {
	ttl, terr := duration("ttl", req.Ttl, false)
	wait, werr := duration("wait_timeout", req.WaitTimeout, false)
	t, err := s.lim.tenant(req, terr, werr, s.lim.key("lock_key", req.LockKey))
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		var cancel context.CancelFunc
		ctx, cancel = s.untilQuit(ctx)
		defer cancel()
	}
	l, ok, err := s.b.AcquireLock(ctx, t, req.LockKey, ttl, wait)
	if err != nil {
		return nil, s.quitting(err)
	}
	if !ok {
		return &pb.AcquireLockResponse{}, nil
	}
	return &pb.AcquireLockResponse{Acquired: true, LockId: l.ID, ExpiresAt: timestamppb.New(l.ExpiresAt)}, nil
}

// ReleaseLock implements RedisService.ReleaseLock: only the owner's
// lock_id releases.
func (s *service) ReleaseLock(ctx context.Context, req *pb.ReleaseLockRequest) (*pb.ReleaseLockResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("lock_key", req.LockKey), s.lim.key("lock_id", req.LockId))
	if err != nil {
		return nil, err
	}
	ok, err := s.b.ReleaseLock(ctx, t, req.LockKey, req.LockId)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ReleaseLockResponse{Released: ok}, nil
}

// RenewLock implements RedisService.RenewLock: only the owner's lock_id
// renews a live lock.
func (s *service) RenewLock(ctx context.Context, req *pb.RenewLockRequest) (*pb.RenewLockResponse, error) {
	ttl, terr := duration("ttl", req.Ttl, false)
	t, err := s.lim.tenant(req, terr, s.lim.key("lock_key", req.LockKey), s.lim.key("lock_id", req.LockId))
	if err != nil {
		return nil, err
	}
	l, ok, err := s.b.RenewLock(ctx, t, req.LockKey, req.LockId, ttl)
	if err != nil {
		return nil, toStatus(err)
	}
	if !ok {
		return &pb.RenewLockResponse{}, nil
	}
	return &pb.RenewLockResponse{Renewed: true, ExpiresAt: timestamppb.New(l.ExpiresAt)}, nil
}

// untilQuit returns ctx, cancelled also when the server shuts down: a call
// that may wait long (for a lock) must not hold up a graceful stop.
func (s *service) untilQuit(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-s.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// errShuttingDown answers a call cut short by the shutdown.
var errShuttingDown = status.Error(codes.Unavailable, "server is shutting down")

// quitting maps err, or errShuttingDown when the server is stopping.
func (s *service) quitting(err error) error {
	select {
	case <-s.quit:
		return errShuttingDown
	default:
		return toStatus(err)
	}
}
