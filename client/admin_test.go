package client

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestAdminOps(t *testing.T) {
	const u, o = "u1", "o1"
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	runOps(t, []opCase{
		{
			name: "Statistics", method: "GetStatistics",
			resp: &pb.GetStatisticsResponse{
				TotalKeys: 3, MemoryUsedBytes: 100, CommandsProcessed: 9, ConnectionsReceived: 2, HitRate: 0.5,
				KeyTypeDistribution: map[string]int64{"string": 2, "hash": 1},
			},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Statistics(ctx) },
			req:  &pb.GetStatisticsRequest{UserId: u, OrganizationId: o},
			want: Stats{
				TotalKeys: 3, MemoryUsedBytes: 100, CommandsProcessed: 9, ConnectionsReceived: 2, HitRate: 0.5,
				KeyTypes: map[string]int64{"string": 2, "hash": 1},
			},
		},
		{
			name: "KeyInfo", method: "GetKeyInfo",
			resp: &pb.GetKeyInfoResponse{
				Exists: true, Type: pb.ValueType_VALUE_TYPE_ZSET, TtlSeconds: -1, SizeBytes: 42,
				CreatedAt: timestamppb.New(t0), LastAccessed: timestamppb.New(t0.Add(time.Second)),
			},
			call: func(ctx context.Context, c *Client) (any, error) { return c.KeyInfo(ctx, "k") },
			req:  &pb.GetKeyInfoRequest{UserId: u, OrganizationId: o, Key: "k"},
			want: KeyInfo{Type: TypeZSet, TTL: NoExpiration, SizeBytes: 42, CreatedAt: t0, LastAccessed: t0.Add(time.Second)},
		},
		{
			name: "KeyInfo with TTL", method: "GetKeyInfo",
			resp: &pb.GetKeyInfoResponse{Exists: true, Type: pb.ValueType_VALUE_TYPE_STRING, TtlSeconds: 9},
			call: func(ctx context.Context, c *Client) (any, error) { return c.KeyInfo(ctx, "k") },
			req:  &pb.GetKeyInfoRequest{UserId: u, OrganizationId: o, Key: "k"},
			want: KeyInfo{Type: TypeString, TTL: 9 * time.Second},
		},
		{
			name: "KeyInfo missing is Nil", method: "GetKeyInfo", resp: &pb.GetKeyInfoResponse{TtlSeconds: -2},
			call: func(ctx context.Context, c *Client) (any, error) { return c.KeyInfo(ctx, "k") },
			req:  &pb.GetKeyInfoRequest{UserId: u, OrganizationId: o, Key: "k"}, want: KeyInfo{}, wantErr: Nil,
		},
		{
			name: "HealthCheck sends no user", method: "HealthCheck",
			resp: &pb.RedisHealthCheckResponse{
				Healthy: true, RedisStatus: "healthy", ConnectedClients: 3, UsedMemoryBytes: 7,
				CheckedAt: timestamppb.New(t0), Message: "ok",
			},
			call: func(ctx context.Context, c *Client) (any, error) { return c.HealthCheck(ctx, true) },
			req:  &pb.RedisHealthCheckRequest{DeepCheck: true},
			want: Health{Healthy: true, Status: "healthy", ConnectedClients: 3, UsedMemoryBytes: 7, CheckedAt: t0, Message: "ok"},
		},
	})
}

func TestKeyTypeString(t *testing.T) {
	want := map[KeyType]string{
		TypeString: "string", TypeHash: "hash", TypeList: "list", TypeSet: "set", TypeZSet: "zset", KeyType(99): "unknown",
	}
	for kt, s := range want {
		require.Equal(t, s, kt.String())
	}
	// The constants follow the wire enum, so a plain conversion is right.
	require.Equal(t, TypeZSet, KeyType(pb.ValueType_VALUE_TYPE_ZSET))
	require.Equal(t, TypeHash, KeyType(pb.ValueType_VALUE_TYPE_HASH))
}
