package grpcserver

import (
	"context"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// HSet implements RedisService.HSet: fields_set is the number of new fields.
func (s *service) HSet(ctx context.Context, req *pb.HSetRequest) (*pb.HSetResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.hashFields(req.Fields))
	if err != nil {
		return nil, err
	}
	fields := make([]HashField, len(req.Fields))
	for i, f := range req.Fields {
		fields[i] = HashField{Field: f.GetField(), Value: f.GetValue()}
	}
	n, err := s.b.HSet(ctx, t, req.Key, fields)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.HSetResponse{Success: true, FieldsSet: i32(n)}, nil
}

// hashFields checks the fields of an HSet request.
func (s *service) hashFields(fields []*pb.HashField) error {
	if err := s.lim.count("fields", len(fields)); err != nil {
		return err
	}
	for _, f := range fields {
		if err := s.lim.key("field", f.GetField()); err != nil {
			return err
		}
		if err := s.lim.value("value", f.GetValue()); err != nil {
			return err
		}
	}
	return nil
}

// HGet implements RedisService.HGet.
func (s *service) HGet(ctx context.Context, req *pb.HGetRequest) (*pb.HGetResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.key("field", req.Field))
	if err != nil {
		return nil, err
	}
	v, found, err := s.b.HGet(ctx, t, req.Key, req.Field)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.HGetResponse{Found: found, Value: v}, nil
}

// HGetAll implements RedisService.HGetAll.
func (s *service) HGetAll(ctx context.Context, req *pb.HGetAllRequest) (*pb.HGetAllResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	fields, err := s.b.HGetAll(ctx, t, req.Key)
	if err != nil {
		return nil, toStatus(err)
	}
	out := make([]*pb.HashField, len(fields))
	for i, f := range fields {
		out[i] = &pb.HashField{Field: f.Field, Value: f.Value}
	}
	return &pb.HGetAllResponse{Fields: out}, nil
}

// HDelete implements RedisService.HDelete (HDEL with the real count).
func (s *service) HDelete(ctx context.Context, req *pb.HDeleteRequest) (*pb.HDeleteResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.keys("fields", req.Fields))
	if err != nil {
		return nil, err
	}
	n, err := s.b.HDel(ctx, t, req.Key, req.Fields)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.HDeleteResponse{Success: true, DeletedCount: i32(n)}, nil
}

// HExists implements RedisService.HExists.
func (s *service) HExists(ctx context.Context, req *pb.HExistsRequest) (*pb.HExistsResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.key("field", req.Field))
	if err != nil {
		return nil, err
	}
	ok, err := s.b.HExists(ctx, t, req.Key, req.Field)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.HExistsResponse{Exists: ok}, nil
}

// HKeys implements RedisService.HKeys.
func (s *service) HKeys(ctx context.Context, req *pb.HKeysRequest) (*pb.HKeysResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	fields, err := s.b.HKeys(ctx, t, req.Key)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.HKeysResponse{Fields: fields}, nil
}

// HValues implements RedisService.HValues.
func (s *service) HValues(ctx context.Context, req *pb.HValuesRequest) (*pb.HValuesResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	values, err := s.b.HVals(ctx, t, req.Key)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.HValuesResponse{Values: values}, nil
}

// HIncrement implements RedisService.HIncrement (HINCRBY; the delta is
// taken as given: unlike Increment, the spec gives 0 no special meaning).
func (s *service) HIncrement(ctx context.Context, req *pb.HIncrementRequest) (*pb.HIncrementResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.key("field", req.Field))
	if err != nil {
		return nil, err
	}
	v, err := s.b.HIncrBy(ctx, t, req.Key, req.Field, req.Delta)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.HIncrementResponse{Value: v}, nil
}
