package grpcserver

import (
	"context"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// LPush implements RedisService.LPush: the length after the push.
func (s *service) LPush(ctx context.Context, req *pb.LPushRequest) (*pb.LPushResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.values("values", req.Values))
	if err != nil {
		return nil, err
	}
	n, err := s.b.LPush(ctx, t, req.Key, req.Values)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.LPushResponse{Length: i32(n)}, nil
}

// RPush implements RedisService.RPush: the length after the push.
func (s *service) RPush(ctx context.Context, req *pb.RPushRequest) (*pb.RPushResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.values("values", req.Values))
	if err != nil {
		return nil, err
	}
	n, err := s.b.RPush(ctx, t, req.Key, req.Values)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.RPushResponse{Length: i32(n)}, nil
}

// LPop implements RedisService.LPop.
func (s *service) LPop(ctx context.Context, req *pb.LPopRequest) (*pb.LPopResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	v, found, err := s.b.LPop(ctx, t, req.Key)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.LPopResponse{Found: found, Value: v}, nil
}

// RPop implements RedisService.RPop.
func (s *service) RPop(ctx context.Context, req *pb.RPopRequest) (*pb.RPopResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	v, found, err := s.b.RPop(ctx, t, req.Key)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.RPopResponse{Found: found, Value: v}, nil
}

// LRange implements RedisService.LRange.
func (s *service) LRange(ctx context.Context, req *pb.LRangeRequest) (*pb.LRangeResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	values, err := s.b.LRange(ctx, t, req.Key, int64(req.Start), int64(req.Stop))
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.LRangeResponse{Values: values}, nil
}

// LLen implements RedisService.LLen.
func (s *service) LLen(ctx context.Context, req *pb.LLenRequest) (*pb.LLenResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	n, err := s.b.LLen(ctx, t, req.Key)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.LLenResponse{Length: i32(n)}, nil
}

// LIndex implements RedisService.LIndex.
func (s *service) LIndex(ctx context.Context, req *pb.LIndexRequest) (*pb.LIndexResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	v, found, err := s.b.LIndex(ctx, t, req.Key, int64(req.Index))
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.LIndexResponse{Found: found, Value: v}, nil
}

// LTrim implements RedisService.LTrim.
func (s *service) LTrim(ctx context.Context, req *pb.LTrimRequest) (*pb.LTrimResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	if err := s.b.LTrim(ctx, t, req.Key, int64(req.Start), int64(req.Stop)); err != nil {
		return nil, toStatus(err)
	}
	return &pb.LTrimResponse{Success: true}, nil
}
