package client

import (
	"context"
	"testing"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestListOps(t *testing.T) {
	const u, o = "u1", "o1"
	runOps(t, []opCase{
		{
			name: "LPush", method: "LPush", resp: &pb.LPushResponse{Length: 2},
			call: func(ctx context.Context, c *Client) (any, error) { return c.LPush(ctx, "l", "a", "b") },
			req:  &pb.LPushRequest{UserId: u, OrganizationId: o, Key: "l", Values: []string{"a", "b"}}, want: 2,
		},
		{
			name: "RPush", method: "RPush", resp: &pb.RPushResponse{Length: 5},
			call: func(ctx context.Context, c *Client) (any, error) { return c.RPush(ctx, "l", "a", "b", "c", "d", "e") },
			req:  &pb.RPushRequest{UserId: u, OrganizationId: o, Key: "l", Values: []string{"a", "b", "c", "d", "e"}}, want: 5,
		},
		{
			name: "LPop", method: "LPop", resp: &pb.LPopResponse{Found: true, Value: "a"},
			call: func(ctx context.Context, c *Client) (any, error) { return c.LPop(ctx, "l") },
			req:  &pb.LPopRequest{UserId: u, OrganizationId: o, Key: "l"}, want: "a",
		},
		{
			name: "LPop empty is Nil", method: "LPop", resp: &pb.LPopResponse{},
			call: func(ctx context.Context, c *Client) (any, error) { return c.LPop(ctx, "l") },
			req:  &pb.LPopRequest{UserId: u, OrganizationId: o, Key: "l"}, want: "", wantErr: Nil,
		},
		{
			name: "RPop", method: "RPop", resp: &pb.RPopResponse{Found: true, Value: "e"},
			call: func(ctx context.Context, c *Client) (any, error) { return c.RPop(ctx, "l") },
			req:  &pb.RPopRequest{UserId: u, OrganizationId: o, Key: "l"}, want: "e",
		},
		{
			name: "RPop empty is Nil", method: "RPop", resp: &pb.RPopResponse{},
			call: func(ctx context.Context, c *Client) (any, error) { return c.RPop(ctx, "l") },
			req:  &pb.RPopRequest{UserId: u, OrganizationId: o, Key: "l"}, want: "", wantErr: Nil,
		},
		{
			name: "LRange negative indices", method: "LRange", resp: &pb.LRangeResponse{Values: []string{"b", "c"}},
			call: func(ctx context.Context, c *Client) (any, error) { return c.LRange(ctx, "l", 1, -1) },
			req:  &pb.LRangeRequest{UserId: u, OrganizationId: o, Key: "l", Start: 1, Stop: -1}, want: []string{"b", "c"},
		},
		{
			name: "LLen", method: "LLen", resp: &pb.LLenResponse{Length: 2},
			call: func(ctx context.Context, c *Client) (any, error) { return c.LLen(ctx, "l") },
			req:  &pb.LLenRequest{UserId: u, OrganizationId: o, Key: "l"}, want: 2,
		},
		{
			name: "LIndex", method: "LIndex", resp: &pb.LIndexResponse{Found: true, Value: "c"},
			call: func(ctx context.Context, c *Client) (any, error) { return c.LIndex(ctx, "l", 2) },
			req:  &pb.LIndexRequest{UserId: u, OrganizationId: o, Key: "l", Index: 2}, want: "c",
		},
		{
			name: "LIndex out of range is Nil", method: "LIndex", resp: &pb.LIndexResponse{},
			call: func(ctx context.Context, c *Client) (any, error) { return c.LIndex(ctx, "l", -9) },
			req:  &pb.LIndexRequest{UserId: u, OrganizationId: o, Key: "l", Index: -9}, want: "", wantErr: Nil,
		},
		{
			name: "LTrim", method: "LTrim", resp: &pb.LTrimResponse{Success: true},
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.LTrim(ctx, "l", 0, 1) },
			req:  &pb.LTrimRequest{UserId: u, OrganizationId: o, Key: "l", Start: 0, Stop: 1},
		},
	})
}
