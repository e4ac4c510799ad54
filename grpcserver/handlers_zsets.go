package grpcserver

import (
	"context"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// zMembersOut converts members to the wire type.
func zMembersOut(ms []ZMember) []*pb.ZSetMember {
	out := make([]*pb.ZSetMember, len(ms))
	for i, m := range ms {
		out[i] = &pb.ZSetMember{Member: m.Member, Score: m.Score}
	}
	return out
}

// ZAdd implements RedisService.ZAdd: added_count is the number of new
// members; existing members get their new score.
func (s *service) ZAdd(ctx context.Context, req *pb.ZAddRequest) (*pb.ZAddResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.zsetMembers(req.Members))
	if err != nil {
		return nil, err
	}
	ms := make([]ZMember, len(req.Members))
	for i, m := range req.Members {
		ms[i] = ZMember{Member: m.GetMember(), Score: m.GetScore()}
	}
	n, err := s.b.ZAdd(ctx, t, req.Key, ms)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ZAddResponse{AddedCount: i32(n)}, nil
}

// zsetMembers checks the members of a ZAdd request.
func (s *service) zsetMembers(ms []*pb.ZSetMember) error {
	if err := s.lim.count("members", len(ms)); err != nil {
		return err
	}
	for _, m := range ms {
		if err := s.lim.key("member", m.GetMember()); err != nil {
			return err
		}
	}
	return nil
}

// ZRemove implements RedisService.ZRemove.
func (s *service) ZRemove(ctx context.Context, req *pb.ZRemoveRequest) (*pb.ZRemoveResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.keys("members", req.Members))
	if err != nil {
		return nil, err
	}
	n, err := s.b.ZRem(ctx, t, req.Key, req.Members)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ZRemoveResponse{RemovedCount: i32(n)}, nil
}

// ZRange implements RedisService.ZRange (ascending by rank). Scores are
// always filled, whatever with_scores says: the spec allows it, and a
// client that did not ask ignores them.
func (s *service) ZRange(ctx context.Context, req *pb.ZRangeRequest) (*pb.ZRangeResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	ms, err := s.b.ZRange(ctx, t, req.Key, int64(req.Start), int64(req.Stop))
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ZRangeResponse{Members: zMembersOut(ms)}, nil
}

// ZRangeByScore implements RedisService.ZRangeByScore: inclusive bounds,
// ascending, real scores, offset/count as LIMIT (count <= 0: no limit).
func (s *service) ZRangeByScore(ctx context.Context, req *pb.ZRangeByScoreRequest) (*pb.ZRangeByScoreResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	ms, err := s.b.ZRangeByScore(ctx, t, req.Key, req.MinScore, req.MaxScore, int64(req.Offset), int64(req.Count))
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ZRangeByScoreResponse{Members: zMembersOut(ms)}, nil
}

// ZRank implements RedisService.ZRank (ascending, 0-based).
func (s *service) ZRank(ctx context.Context, req *pb.ZRankRequest) (*pb.ZRankResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.key("member", req.Member))
	if err != nil {
		return nil, err
	}
	rank, found, err := s.b.ZRank(ctx, t, req.Key, req.Member)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ZRankResponse{Found: found, Rank: i32(rank)}, nil
}

// ZScore implements RedisService.ZScore.
func (s *service) ZScore(ctx context.Context, req *pb.ZScoreRequest) (*pb.ZScoreResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.key("member", req.Member))
	if err != nil {
		return nil, err
	}
	score, found, err := s.b.ZScore(ctx, t, req.Key, req.Member)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ZScoreResponse{Found: found, Score: score}, nil
}

// ZCard implements RedisService.ZCard.
func (s *service) ZCard(ctx context.Context, req *pb.ZCardRequest) (*pb.ZCardResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key))
	if err != nil {
		return nil, err
	}
	n, err := s.b.ZCard(ctx, t, req.Key)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ZCardResponse{Count: i32(n)}, nil
}

// ZIncrement implements RedisService.ZIncrement: the new score.
func (s *service) ZIncrement(ctx context.Context, req *pb.ZIncrementRequest) (*pb.ZIncrementResponse, error) {
	t, err := s.lim.tenant(req, s.lim.key("key", req.Key), s.lim.key("member", req.Member))
	if err != nil {
		return nil, err
	}
	score, err := s.b.ZIncrBy(ctx, t, req.Key, req.Member, req.Delta)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ZIncrementResponse{Score: score}, nil
}
