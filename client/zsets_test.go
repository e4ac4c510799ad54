package client

import (
	"context"
	"testing"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestSortedSetOps(t *testing.T) {
	const u, o = "u1", "o1"
	members := []*pb.ZSetMember{{Member: "p1", Score: 100}, {Member: "p3", Score: 150}}
	runOps(t, []opCase{
		{
			name: "ZAdd", method: "ZAdd", resp: &pb.ZAddResponse{AddedCount: 2},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ZAdd(ctx, "z", Z{"p1", 100}, Z{"p3", 150})
			},
			req:  &pb.ZAddRequest{UserId: u, OrganizationId: o, Key: "z", Members: members},
			want: 2,
		},
		{
			name: "ZRem", method: "ZRemove", resp: &pb.ZRemoveResponse{RemovedCount: 1},
			call: func(ctx context.Context, c *Client) (any, error) { return c.ZRem(ctx, "z", "p3") },
			req:  &pb.ZRemoveRequest{UserId: u, OrganizationId: o, Key: "z", Members: []string{"p3"}}, want: 1,
		},
		{
			name: "ZRange", method: "ZRange", resp: &pb.ZRangeResponse{Members: members},
			call: func(ctx context.Context, c *Client) (any, error) { return c.ZRange(ctx, "z", 0, -1) },
			req:  &pb.ZRangeRequest{UserId: u, OrganizationId: o, Key: "z", Start: 0, Stop: -1},
			want: []string{"p1", "p3"},
		},
		{
			name: "ZRangeWithScores", method: "ZRange", resp: &pb.ZRangeResponse{Members: members},
			call: func(ctx context.Context, c *Client) (any, error) { return c.ZRangeWithScores(ctx, "z", 0, 1) },
			req:  &pb.ZRangeRequest{UserId: u, OrganizationId: o, Key: "z", Start: 0, Stop: 1, WithScores: true},
			want: []Z{{"p1", 100}, {"p3", 150}},
		},
		{
			name: "ZRangeByScore", method: "ZRangeByScore", resp: &pb.ZRangeByScoreResponse{Members: members},
			call: func(ctx context.Context, c *Client) (any, error) { return c.ZRangeByScore(ctx, "z", 100, 180, 1, 10) },
			req:  &pb.ZRangeByScoreRequest{UserId: u, OrganizationId: o, Key: "z", MinScore: 100, MaxScore: 180, Offset: 1, Count: 10},
			want: []Z{{"p1", 100}, {"p3", 150}},
		},
		{
			name: "ZRank", method: "ZRank", resp: &pb.ZRankResponse{Found: true, Rank: 2},
			call: func(ctx context.Context, c *Client) (any, error) { return c.ZRank(ctx, "z", "p2") },
			req:  &pb.ZRankRequest{UserId: u, OrganizationId: o, Key: "z", Member: "p2"}, want: 2,
		},
		{
			name: "ZRank missing is Nil", method: "ZRank", resp: &pb.ZRankResponse{},
			call: func(ctx context.Context, c *Client) (any, error) { return c.ZRank(ctx, "z", "x") },
			req:  &pb.ZRankRequest{UserId: u, OrganizationId: o, Key: "z", Member: "x"}, want: 0, wantErr: Nil,
		},
		{
			name: "ZScore", method: "ZScore", resp: &pb.ZScoreResponse{Found: true, Score: 200},
			call: func(ctx context.Context, c *Client) (any, error) { return c.ZScore(ctx, "z", "p2") },
			req:  &pb.ZScoreRequest{UserId: u, OrganizationId: o, Key: "z", Member: "p2"}, want: 200.0,
		},
		{
			name: "ZScore missing is Nil", method: "ZScore", resp: &pb.ZScoreResponse{},
			call: func(ctx context.Context, c *Client) (any, error) { return c.ZScore(ctx, "z", "x") },
			req:  &pb.ZScoreRequest{UserId: u, OrganizationId: o, Key: "z", Member: "x"}, want: 0.0, wantErr: Nil,
		},
		{
			name: "ZCard", method: "ZCard", resp: &pb.ZCardResponse{Count: 3},
			call: func(ctx context.Context, c *Client) (any, error) { return c.ZCard(ctx, "z") },
			req:  &pb.ZCardRequest{UserId: u, OrganizationId: o, Key: "z"}, want: 3,
		},
		{
			name: "ZIncrBy", method: "ZIncrement", resp: &pb.ZIncrementResponse{Score: 150},
			call: func(ctx context.Context, c *Client) (any, error) { return c.ZIncrBy(ctx, "z", "p1", 50) },
			req:  &pb.ZIncrementRequest{UserId: u, OrganizationId: o, Key: "z", Member: "p1", Delta: 50}, want: 150.0,
		},
	})
}
