package client

import (
	"context"
	"testing"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestSetOps(t *testing.T) {
	const u, o = "u1", "o1"
	runOps(t, []opCase{
		{
			name: "SAdd", method: "SAdd", resp: &pb.SAddResponse{AddedCount: 3},
			call: func(ctx context.Context, c *Client) (any, error) { return c.SAdd(ctx, "s", "a", "b", "c") },
			req:  &pb.SAddRequest{UserId: u, OrganizationId: o, Key: "s", Members: []string{"a", "b", "c"}}, want: 3,
		},
		{
			name: "SRem", method: "SRemove", resp: &pb.SRemoveResponse{RemovedCount: 1},
			call: func(ctx context.Context, c *Client) (any, error) { return c.SRem(ctx, "s", "a") },
			req:  &pb.SRemoveRequest{UserId: u, OrganizationId: o, Key: "s", Members: []string{"a"}}, want: 1,
		},
		{
			name: "SMembers", method: "SMembers", resp: &pb.SMembersResponse{Members: []string{"a", "b"}},
			call: func(ctx context.Context, c *Client) (any, error) { return c.SMembers(ctx, "s") },
			req:  &pb.SMembersRequest{UserId: u, OrganizationId: o, Key: "s"}, want: []string{"a", "b"},
		},
		{
			name: "SIsMember", method: "SIsMember", resp: &pb.SIsMemberResponse{IsMember: true},
			call: func(ctx context.Context, c *Client) (any, error) { return c.SIsMember(ctx, "s", "a") },
			req:  &pb.SIsMemberRequest{UserId: u, OrganizationId: o, Key: "s", Member: "a"}, want: true,
		},
		{
			name: "SCard", method: "SCard", resp: &pb.SCardResponse{Count: 3},
			call: func(ctx context.Context, c *Client) (any, error) { return c.SCard(ctx, "s") },
			req:  &pb.SCardRequest{UserId: u, OrganizationId: o, Key: "s"}, want: 3,
		},
		{
			name: "SUnion", method: "SUnion", resp: &pb.SUnionResponse{Members: []string{"a", "b", "c", "d"}},
			call: func(ctx context.Context, c *Client) (any, error) { return c.SUnion(ctx, "s1", "s2") },
			req:  &pb.SUnionRequest{UserId: u, OrganizationId: o, Keys: []string{"s1", "s2"}}, want: []string{"a", "b", "c", "d"},
		},
		{
			name: "SInter", method: "SInter", resp: &pb.SInterResponse{Members: []string{"b", "c"}},
			call: func(ctx context.Context, c *Client) (any, error) { return c.SInter(ctx, "s1", "s2") },
			req:  &pb.SInterRequest{UserId: u, OrganizationId: o, Keys: []string{"s1", "s2"}}, want: []string{"b", "c"},
		},
		{
			name: "SDiff", method: "SDiff", resp: &pb.SDiffResponse{Members: []string{"a"}},
			call: func(ctx context.Context, c *Client) (any, error) { return c.SDiff(ctx, "s1", "s2") },
			req:  &pb.SDiffRequest{UserId: u, OrganizationId: o, Keys: []string{"s1", "s2"}}, want: []string{"a"},
		},
	})
}
