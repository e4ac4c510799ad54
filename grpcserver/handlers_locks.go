package grpcserver

import (
	"context"

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
	l, ok, err := s.b.AcquireLock(ctx, t, req.LockKey, ttl, wait)
	if err != nil {
		return nil, toStatus(err)
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
