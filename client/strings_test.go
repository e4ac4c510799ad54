package client

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestStringAndKeyOps(t *testing.T) {
	const u, o = "u1", "o1"
	runOps(t, []opCase{
		{
			name: "Set", method: "Set", resp: &pb.SetResponse{Success: true, Message: "OK"},
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.Set(ctx, "k", "v") },
			req:  &pb.SetRequest{UserId: u, OrganizationId: o, Key: "k", Value: "v"},
		},
		{
			name: "SetTTL keeps milliseconds", method: "SetWithExpiration",
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.SetTTL(ctx, "k", "v", 1500*time.Millisecond)
			},
			req: &pb.SetWithExpirationRequest{UserId: u, OrganizationId: o, Key: "k", Value: "v", Expiration: durationpb.New(1500 * time.Millisecond)},
		},
		{
			name: "Get found", method: "Get", resp: &pb.GetResponse{Found: true, Value: "v"},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Get(ctx, "k") },
			req:  &pb.GetRequest{UserId: u, OrganizationId: o, Key: "k"}, want: "v",
		},
		{
			name: "Get found empty string", method: "Get", resp: &pb.GetResponse{Found: true},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Get(ctx, "k") },
			req:  &pb.GetRequest{UserId: u, OrganizationId: o, Key: "k"}, want: "",
		},
		{
			name: "Get missing is Nil", method: "Get", resp: &pb.GetResponse{},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Get(ctx, "k") },
			req:  &pb.GetRequest{UserId: u, OrganizationId: o, Key: "k"}, want: "", wantErr: Nil,
		},
		{
			name: "Append", method: "Append", resp: &pb.AppendResponse{Length: 11},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Append(ctx, "k", " World") },
			req:  &pb.AppendRequest{UserId: u, OrganizationId: o, Key: "k", Value: " World"}, want: int64(11),
		},
		{
			name: "Del one key uses Delete", method: "Delete", resp: &pb.DeleteResponse{Success: true, DeletedCount: 1},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Del(ctx, "k") },
			req:  &pb.DeleteRequest{UserId: u, OrganizationId: o, Key: "k"}, want: 1,
		},
		{
			name: "Del several keys uses DeleteMultiple", method: "DeleteMultiple", resp: &pb.DeleteResponse{Success: true, DeletedCount: 2},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Del(ctx, "a", "b", "c") },
			req:  &pb.DeleteMultipleRequest{UserId: u, OrganizationId: o, Keys: []string{"a", "b", "c"}}, want: 2,
		},
		{
			name: "Del no key sends nothing", method: "Delete",
			call: func(ctx context.Context, c *Client) (any, error) { return c.Del(ctx) },
			want: 0,
		},
		{
			name: "Exists", method: "Exists", resp: &pb.ExistsResponse{Exists: true},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Exists(ctx, "k") },
			req:  &pb.ExistsRequest{UserId: u, OrganizationId: o, Key: "k"}, want: true,
		},
		{
			name: "Incr sends delta 1", method: "Increment", resp: &pb.IncrementResponse{Value: 1},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Incr(ctx, "n") },
			req:  &pb.IncrementRequest{UserId: u, OrganizationId: o, Key: "n", Delta: 1}, want: int64(1),
		},
		{
			name: "IncrBy", method: "Increment", resp: &pb.IncrementResponse{Value: 6},
			call: func(ctx context.Context, c *Client) (any, error) { return c.IncrBy(ctx, "n", 5) },
			req:  &pb.IncrementRequest{UserId: u, OrganizationId: o, Key: "n", Delta: 5}, want: int64(6),
		},
		{
			name: "IncrBy 0 refused locally", method: "Increment",
			call: func(ctx context.Context, c *Client) (any, error) { return c.IncrBy(ctx, "n", 0) },
			want: int64(0), wantErr: ErrInvalidArgument,
		},
		{
			name: "Decr sends delta 1", method: "Decrement", resp: &pb.DecrementResponse{Value: -1},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Decr(ctx, "n") },
			req:  &pb.DecrementRequest{UserId: u, OrganizationId: o, Key: "n", Delta: 1}, want: int64(-1),
		},
		{
			name: "DecrBy", method: "Decrement", resp: &pb.DecrementResponse{Value: 4},
			call: func(ctx context.Context, c *Client) (any, error) { return c.DecrBy(ctx, "n", 2) },
			req:  &pb.DecrementRequest{UserId: u, OrganizationId: o, Key: "n", Delta: 2}, want: int64(4),
		},
		{
			name: "DecrBy 0 refused locally", method: "Decrement",
			call: func(ctx context.Context, c *Client) (any, error) { return c.DecrBy(ctx, "n", 0) },
			want: int64(0), wantErr: ErrInvalidArgument,
		},
		{
			name: "Expire", method: "Expire", resp: &pb.ExpireResponse{Success: true},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Expire(ctx, "k", 250*time.Millisecond) },
			req:  &pb.ExpireRequest{UserId: u, OrganizationId: o, Key: "k", Expiration: durationpb.New(250 * time.Millisecond)}, want: true,
		},
		{
			name: "TTL seconds", method: "GetTTL", resp: &pb.GetTTLResponse{TtlSeconds: 7},
			call: func(ctx context.Context, c *Client) (any, error) { return c.TTL(ctx, "k") },
			req:  &pb.GetTTLRequest{UserId: u, OrganizationId: o, Key: "k"}, want: 7 * time.Second,
		},
		{
			name: "TTL none", method: "GetTTL", resp: &pb.GetTTLResponse{TtlSeconds: -1},
			call: func(ctx context.Context, c *Client) (any, error) { return c.TTL(ctx, "k") },
			req:  &pb.GetTTLRequest{UserId: u, OrganizationId: o, Key: "k"}, want: NoExpiration,
		},
		{
			name: "TTL missing is Nil", method: "GetTTL", resp: &pb.GetTTLResponse{TtlSeconds: -2},
			call: func(ctx context.Context, c *Client) (any, error) { return c.TTL(ctx, "k") },
			req:  &pb.GetTTLRequest{UserId: u, OrganizationId: o, Key: "k"}, want: time.Duration(0), wantErr: Nil,
		},
		{
			name: "Rename", method: "Rename", resp: &pb.RenameResponse{Success: true},
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.Rename(ctx, "a", "b") },
			req:  &pb.RenameRequest{UserId: u, OrganizationId: o, OldKey: "a", NewKey: "b"},
		},
		{
			name: "ListKeys", method: "ListKeys", resp: &pb.ListKeysResponse{Keys: []string{"a", "b"}, TotalCount: 5},
			call: func(ctx context.Context, c *Client) (any, error) {
				keys, total, err := c.ListKeys(ctx, "*", 2)
				return []any{keys, total}, err
			},
			req:  &pb.ListKeysRequest{UserId: u, OrganizationId: o, Pattern: "*", Limit: 2},
			want: []any{[]string{"a", "b"}, 5},
		},
		{
			name: "ListKeys clamps limit", method: "ListKeys",
			call: func(ctx context.Context, c *Client) (any, error) {
				keys, total, err := c.ListKeys(ctx, "", math.MaxInt64)
				return []any{keys, total}, err
			},
			req:  &pb.ListKeysRequest{UserId: u, OrganizationId: o, Limit: math.MaxInt32},
			want: []any{[]string(nil), 0},
		},
	})
}

func TestClamp32(t *testing.T) {
	for _, tc := range []struct {
		in   int
		want int32
	}{
		{0, 0}, {-1, -1}, {math.MaxInt32, math.MaxInt32}, {math.MaxInt32 + 1, math.MaxInt32},
		{math.MinInt32, math.MinInt32}, {math.MinInt32 - 1, math.MinInt32},
	} {
		require.Equal(t, tc.want, clamp32(tc.in), "clamp32(%d)", tc.in)
	}
}
