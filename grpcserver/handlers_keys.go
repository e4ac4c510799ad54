package grpcserver

import (
	"context"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// Delete implements RedisService.Delete.
func (s *service) Delete(ctx context.Context, req *pb.DeleteRequest) (*pb.DeleteResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	n, err := s.b.Delete(ctx, t, []string{req.Key})
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.DeleteResponse{Success: true, DeletedCount: i32(n)}, nil
}

// DeleteMultiple implements RedisService.DeleteMultiple.
func (s *service) DeleteMultiple(ctx context.Context, req *pb.DeleteMultipleRequest) (*pb.DeleteResponse, error) {
	t, err := s.lim.tenant(req, s.lim.keys("keys", req.Keys))
	if err != nil {
		return nil, err
	}
	n, err := s.b.Delete(ctx, t, req.Keys)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.DeleteResponse{Success: true, DeletedCount: i32(n)}, nil
}

// Exists implements RedisService.Exists.
func (s *service) Exists(ctx context.Context, req *pb.ExistsRequest) (*pb.ExistsResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	ok, err := s.b.Exists(ctx, t, req.Key)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ExistsResponse{Exists: ok}, nil
}

// Expire implements RedisService.Expire: a duration <= 0 deletes the key.
func (s *service) Expire(ctx context.Context, req *pb.ExpireRequest) (*pb.ExpireResponse, error) {
	ttl, derr := duration("expiration", req.Expiration, true)
	t, err := s.lim.tenant(req, derr, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	ok, err := s.b.Expire(ctx, t, req.Key, ttl)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ExpireResponse{Success: ok}, nil
}

// GetTTL implements RedisService.GetTTL (-1 without TTL, -2 for no key).
func (s *service) GetTTL(ctx context.Context, req *pb.GetTTLRequest) (*pb.GetTTLResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	ttl, err := s.b.TTL(ctx, t, req.Key)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.GetTTLResponse{TtlSeconds: ttl}, nil
}

// Rename implements RedisService.Rename (missing source: NOT_FOUND).
func (s *service) Rename(ctx context.Context, req *pb.RenameRequest) (*pb.RenameResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("old_key", req.OldKey), s.lim.key("new_key", req.NewKey))
	if err != nil {
		return nil, err
	}
	if err := s.b.Rename(ctx, t, req.OldKey, req.NewKey); err != nil {
		return nil, toStatus(err)
	}
	return &pb.RenameResponse{Success: true}, nil
}

// ListKeys implements RedisService.ListKeys.
func (s *service) ListKeys(ctx context.Context, req *pb.ListKeysRequest) (*pb.ListKeysResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("pattern", req.Pattern))
	if err != nil {
		return nil, err
	}
	keys, total, err := s.b.ListKeys(ctx, t, req.Pattern, s.lim.listLimit(req.Limit))
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ListKeysResponse{Keys: keys, TotalCount: i32(total)}, nil
}
