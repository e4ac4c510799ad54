package grpcserver

import (
	"context"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// SAdd implements RedisService.SAdd: added_count is the number of new
// members.
func (s *service) SAdd(ctx context.Context, req *pb.SAddRequest) (*pb.SAddResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.keys("members", req.Members))
	if err != nil {
		return nil, err
	}
	n, err := s.b.SAdd(ctx, t, req.Key, req.Members)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.SAddResponse{AddedCount: i32(n)}, nil
}

// SRemove implements RedisService.SRemove: removed_count is the real count.
func (s *service) SRemove(ctx context.Context, req *pb.SRemoveRequest) (*pb.SRemoveResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.keys("members", req.Members))
	if err != nil {
		return nil, err
	}
	n, err := s.b.SRem(ctx, t, req.Key, req.Members)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.SRemoveResponse{RemovedCount: i32(n)}, nil
}

// SMembers implements RedisService.SMembers.
func (s *service) SMembers(ctx context.Context, req *pb.SMembersRequest) (*pb.SMembersResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	members, err := s.b.SMembers(ctx, t, req.Key)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.SMembersResponse{Members: members}, nil
}

// SIsMember implements RedisService.SIsMember.
func (s *service) SIsMember(ctx context.Context, req *pb.SIsMemberRequest) (*pb.SIsMemberResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.key("member", req.Member))
	if err != nil {
		return nil, err
	}
	ok, err := s.b.SIsMember(ctx, t, req.Key, req.Member)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.SIsMemberResponse{IsMember: ok}, nil
}

// SCard implements RedisService.SCard.
func (s *service) SCard(ctx context.Context, req *pb.SCardRequest) (*pb.SCardResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	n, err := s.b.SCard(ctx, t, req.Key)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.SCardResponse{Count: i32(n)}, nil
}

// SUnion implements RedisService.SUnion.
func (s *service) SUnion(ctx context.Context, req *pb.SUnionRequest) (*pb.SUnionResponse, error) {
	t, err := s.lim.tenant(req, s.lim.keys("keys", req.Keys))
	if err != nil {
		return nil, err
	}
	members, err := s.b.SUnion(ctx, t, req.Keys)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.SUnionResponse{Members: members}, nil
}

// SInter implements RedisService.SInter.
func (s *service) SInter(ctx context.Context, req *pb.SInterRequest) (*pb.SInterResponse, error) {
	t, err := s.lim.tenant(req, s.lim.keys("keys", req.Keys))
	if err != nil {
		return nil, err
	}
	members, err := s.b.SInter(ctx, t, req.Keys)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.SInterResponse{Members: members}, nil
}

// SDiff implements RedisService.SDiff.
func (s *service) SDiff(ctx context.Context, req *pb.SDiffRequest) (*pb.SDiffResponse, error) {
	t, err := s.lim.tenant(req, s.lim.keys("keys", req.Keys))
	if err != nil {
		return nil, err
	}
	members, err := s.b.SDiff(ctx, t, req.Keys)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.SDiffResponse{Members: members}, nil
}
