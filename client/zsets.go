package client

import (
	"context"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// Z is a sorted-set member with its score.
type Z struct {
	Member string
	Score  float64
}

// ZAdd adds members to the sorted set at key, updating the scores of
// existing ones, and returns how many were new (Redis ZADD).
func (c *Client) ZAdd(ctx context.Context, key string, members ...Z) (int, error) {
	zm := make([]*pb.ZSetMember, len(members))
	for i, m := range members {
		zm[i] = &pb.ZSetMember{Member: m.Member, Score: m.Score}
	}
	r, err := c.rpc.ZAdd(ctx, &pb.ZAddRequest{UserId: c.user, OrganizationId: c.org, Key: key, Members: zm})
	return int(r.GetAddedCount()), err
}

// ZRem removes members from the sorted set at key and returns how many were
// there (Redis ZREM; the ZRemove RPC).
func (c *Client) ZRem(ctx context.Context, key string, members ...string) (int, error) {
	r, err := c.rpc.ZRemove(ctx, &pb.ZRemoveRequest{UserId: c.user, OrganizationId: c.org, Key: key, Members: members})
	return int(r.GetRemovedCount()), err
}

// ZRange returns the members ranked start to stop inclusive, ascending by
// score; negative ranks count from the end (Redis ZRANGE).
func (c *Client) ZRange(ctx context.Context, key string, start, stop int) ([]string, error) {
	r, err := c.zrange(ctx, key, start, stop, false)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(r.GetMembers()))
	for i, m := range r.GetMembers() {
		out[i] = m.GetMember()
	}
	return out, nil
}

// ZRangeWithScores is ZRange with the members' scores (ZRANGE WITHSCORES).
func (c *Client) ZRangeWithScores(ctx context.Context, key string, start, stop int) ([]Z, error) {
	r, err := c.zrange(ctx, key, start, stop, true)
	if err != nil {
		return nil, err
	}
	return zs(r.GetMembers()), nil
}

func (c *Client) zrange(ctx context.Context, key string, start, stop int, scores bool) (*pb.ZRangeResponse, error) {
	return c.rpc.ZRange(ctx, &pb.ZRangeRequest{
		UserId: c.user, OrganizationId: c.org, Key: key, Start: clamp32(start), Stop: clamp32(stop), WithScores: scores,
	})
}

// ZRangeByScore returns the members with min <= score <= max, ascending,
// with their scores, skipping offset of them and returning at most count
// (count <= 0: all) — ZRANGEBYSCORE key min max WITHSCORES LIMIT offset count.
func (c *Client) ZRangeByScore(ctx context.Context, key string, min, max float64, offset, count int) ([]Z, error) {
	r, err := c.rpc.ZRangeByScore(ctx, &pb.ZRangeByScoreRequest{
		UserId: c.user, OrganizationId: c.org, Key: key, MinScore: min, MaxScore: max, Offset: clamp32(offset), Count: clamp32(count),
	})
	if err != nil {
		return nil, err
	}
	return zs(r.GetMembers()), nil
}

func zs(members []*pb.ZSetMember) []Z {
	out := make([]Z, len(members))
	for i, m := range members {
		out[i] = Z{Member: m.GetMember(), Score: m.GetScore()}
	}
	return out
}

// ZRank returns member's 0-based rank by ascending score, or Nil if the
// member or the key is missing.
func (c *Client) ZRank(ctx context.Context, key, member string) (int, error) {
	r, err := c.rpc.ZRank(ctx, &pb.ZRankRequest{UserId: c.user, OrganizationId: c.org, Key: key, Member: member})
	if err != nil {
		return 0, err
	}
	if !r.GetFound() {
		return 0, Nil
	}
	return int(r.GetRank()), nil
}

// ZScore returns member's score, or Nil if the member or the key is missing.
func (c *Client) ZScore(ctx context.Context, key, member string) (float64, error) {
	r, err := c.rpc.ZScore(ctx, &pb.ZScoreRequest{UserId: c.user, OrganizationId: c.org, Key: key, Member: member})
	if err != nil {
		return 0, err
	}
	if !r.GetFound() {
		return 0, Nil
	}
	return r.GetScore(), nil
}

// ZCard returns the number of members of the sorted set at key.
func (c *Client) ZCard(ctx context.Context, key string) (int, error) {
	r, err := c.rpc.ZCard(ctx, &pb.ZCardRequest{UserId: c.user, OrganizationId: c.org, Key: key})
	return int(r.GetCount()), err
}

// ZIncrBy adds delta to member's score (adding the member) and returns the
// new score (Redis ZINCRBY; the ZIncrement RPC).
func (c *Client) ZIncrBy(ctx context.Context, key, member string, delta float64) (float64, error) {
	r, err := c.rpc.ZIncrement(ctx, &pb.ZIncrementRequest{UserId: c.user, OrganizationId: c.org, Key: key, Member: member, Delta: delta})
	return r.GetScore(), err
}
