package client

import (
	"context"
	"testing"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestHashOps(t *testing.T) {
	const u, o = "u1", "o1"
	runOps(t, []opCase{
		{
			name: "HSet sends fields sorted", method: "HSet", resp: &pb.HSetResponse{Success: true, FieldsSet: 2},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.HSet(ctx, "h", map[string]string{"b": "2", "a": "1", "c": "3"})
			},
			req: &pb.HSetRequest{UserId: u, OrganizationId: o, Key: "h", Fields: []*pb.HashField{
				{Field: "a", Value: "1"}, {Field: "b", Value: "2"}, {Field: "c", Value: "3"},
			}},
			want: 2,
		},
		{
			name: "HGet found", method: "HGet", resp: &pb.HGetResponse{Found: true, Value: "1"},
			call: func(ctx context.Context, c *Client) (any, error) { return c.HGet(ctx, "h", "a") },
			req:  &pb.HGetRequest{UserId: u, OrganizationId: o, Key: "h", Field: "a"}, want: "1",
		},
		{
			name: "HGet missing is Nil", method: "HGet", resp: &pb.HGetResponse{},
			call: func(ctx context.Context, c *Client) (any, error) { return c.HGet(ctx, "h", "z") },
			req:  &pb.HGetRequest{UserId: u, OrganizationId: o, Key: "h", Field: "z"}, want: "", wantErr: Nil,
		},
		{
			name: "HGetAll", method: "HGetAll",
			resp: &pb.HGetAllResponse{Fields: []*pb.HashField{{Field: "a", Value: "1"}, {Field: "b", Value: ""}}},
			call: func(ctx context.Context, c *Client) (any, error) { return c.HGetAll(ctx, "h") },
			req:  &pb.HGetAllRequest{UserId: u, OrganizationId: o, Key: "h"},
			want: map[string]string{"a": "1", "b": ""},
		},
		{
			name: "HGetAll missing is empty", method: "HGetAll", resp: &pb.HGetAllResponse{},
			call: func(ctx context.Context, c *Client) (any, error) { return c.HGetAll(ctx, "h") },
			req:  &pb.HGetAllRequest{UserId: u, OrganizationId: o, Key: "h"},
			want: map[string]string{},
		},
		{
			name: "HDel", method: "HDelete", resp: &pb.HDeleteResponse{Success: true, DeletedCount: 2},
			call: func(ctx context.Context, c *Client) (any, error) { return c.HDel(ctx, "h", "a", "b") },
			req:  &pb.HDeleteRequest{UserId: u, OrganizationId: o, Key: "h", Fields: []string{"a", "b"}}, want: 2,
		},
		{
			name: "HExists", method: "HExists", resp: &pb.HExistsResponse{Exists: true},
			call: func(ctx context.Context, c *Client) (any, error) { return c.HExists(ctx, "h", "a") },
			req:  &pb.HExistsRequest{UserId: u, OrganizationId: o, Key: "h", Field: "a"}, want: true,
		},
		{
			name: "HKeys", method: "HKeys", resp: &pb.HKeysResponse{Fields: []string{"a", "b"}},
			call: func(ctx context.Context, c *Client) (any, error) { return c.HKeys(ctx, "h") },
			req:  &pb.HKeysRequest{UserId: u, OrganizationId: o, Key: "h"}, want: []string{"a", "b"},
		},
		{
			name: "HVals", method: "HValues", resp: &pb.HValuesResponse{Values: []string{"1", "2"}},
			call: func(ctx context.Context, c *Client) (any, error) { return c.HVals(ctx, "h") },
			req:  &pb.HValuesRequest{UserId: u, OrganizationId: o, Key: "h"}, want: []string{"1", "2"},
		},
		{
			name: "HIncrBy", method: "HIncrement", resp: &pb.HIncrementResponse{Value: 15},
			call: func(ctx context.Context, c *Client) (any, error) { return c.HIncrBy(ctx, "h", "n", 5) },
			req:  &pb.HIncrementRequest{UserId: u, OrganizationId: o, Key: "h", Field: "n", Delta: 5}, want: int64(15),
		},
	})
}
