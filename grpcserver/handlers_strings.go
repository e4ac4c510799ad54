package grpcserver

import (
	"context"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// setMessage is Set's message: existing clients expect a non-empty one.
const setMessage = "OK"

// Set implements RedisService.Set.
func (s *service) Set(ctx context.Context, req *pb.SetRequest) (*pb.SetResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.value("value", req.Value))
	if err != nil {
		return nil, err
	}
	if err := s.b.Set(ctx, t, req.Key, req.Value, 0); err != nil {
		return nil, toStatus(err)
	}
	return &pb.SetResponse{Success: true, Message: setMessage}, nil
}

// SetWithExpiration implements RedisService.SetWithExpiration: an unset or
// zero expiration is a plain SET, a negative one INVALID_ARGUMENT.
func (s *service) SetWithExpiration(ctx context.Context, req *pb.SetWithExpirationRequest) (*pb.SetResponse, error) {
	ttl, derr := duration("expiration", req.Expiration, false)
	t, err := s.lim.tenant(req, derr, s.lim.key("key", req.Key), s.lim.value("value", req.Value))
	if err != nil {
		return nil, err
	}
	if err := s.b.Set(ctx, t, req.Key, req.Value, ttl); err != nil {
		return nil, toStatus(err)
	}
	return &pb.SetResponse{Success: true, Message: setMessage}, nil
}

// Get implements RedisService.Get.
func (s *service) Get(ctx context.Context, req *pb.GetRequest) (*pb.GetResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	v, found, err := s.b.Get(ctx, t, req.Key)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.GetResponse{Found: found, Value: v}, nil
}

// GetMultiple implements RedisService.GetMultiple.
func (s *service) GetMultiple(ctx context.Context, req *pb.GetMultipleRequest) (*pb.GetMultipleResponse, error) {
	t, err := s.lim.tenant(req, s.lim.keys("keys", req.Keys))
	if err != nil {
		return nil, err
	}
	kvs, err := s.b.GetMultiple(ctx, t, req.Keys)
	if err != nil {
		return nil, toStatus(err)
	}
	out := make([]*pb.KeyValue, len(kvs))
	for i, kv := range kvs {
		out[i] = &pb.KeyValue{Key: kv.Key, Value: kv.Value}
	}
	return &pb.GetMultipleResponse{Values: out}, nil
}

// orOne is the delta of Increment/Decrement: 0 means 1, which existing
// clients rely on (they send no delta for a plain INCR).
func orOne(delta int64) int64 {
	if delta == 0 {
		return 1
	}
	return delta
}

// Increment implements RedisService.Increment (INCRBY; delta 0 means 1).
func (s *service) Increment(ctx context.Context, req *pb.IncrementRequest) (*pb.IncrementResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	v, err := s.b.IncrBy(ctx, t, req.Key, orOne(req.Delta))
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.IncrementResponse{Value: v}, nil
}

// Decrement implements RedisService.Decrement (DECRBY; delta 0 means 1).
func (s *service) Decrement(ctx context.Context, req *pb.DecrementRequest) (*pb.DecrementResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	v, err := s.b.DecrBy(ctx, t, req.Key, orOne(req.Delta))
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.DecrementResponse{Value: v}, nil
}

// Append implements RedisService.Append.
func (s *service) Append(ctx context.Context, req *pb.AppendRequest) (*pb.AppendResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.value("value", req.Value))
	if err != nil {
		return nil, err
	}
	n, err := s.b.Append(ctx, t, req.Key, req.Value)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.AppendResponse{Length: n}, nil
}
