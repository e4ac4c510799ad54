package client

import (
	"context"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestSessionOps(t *testing.T) {
	const u, o = "u1", "o1"
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	info := &pb.SessionInfo{
		SessionId: "s1", UserId: u, Data: map[string]string{"a": "1"},
		CreatedAt: timestamppb.New(t0), ExpiresAt: timestamppb.New(t0.Add(time.Hour)), LastAccessed: timestamppb.New(t0.Add(time.Minute)),
	}
	sess := Session{
		ID: "s1", UserID: u, Data: map[string]string{"a": "1"},
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), LastAccessed: t0.Add(time.Minute),
	}
	runOps(t, []opCase{
		{
			name: "CreateSession", method: "CreateSession",
			resp: &pb.CreateSessionResponse{SessionId: "s1", ExpiresAt: timestamppb.New(t0)},
			call: func(ctx context.Context, c *Client) (any, error) {
				id, exp, err := c.CreateSession(ctx, map[string]string{"a": "1"}, time.Hour)
				return []any{id, exp}, err
			},
			req:  &pb.CreateSessionRequest{UserId: u, OrganizationId: o, Data: map[string]string{"a": "1"}, Ttl: durationpb.New(time.Hour)},
			want: []any{"s1", t0},
		},
		{
			name: "CreateSession default TTL leaves it unset", method: "CreateSession",
			resp: &pb.CreateSessionResponse{SessionId: "s1"},
			call: func(ctx context.Context, c *Client) (any, error) {
				id, exp, err := c.CreateSession(ctx, nil, 0)
				return []any{id, exp}, err
			},
			req:  &pb.CreateSessionRequest{UserId: u, OrganizationId: o},
			want: []any{"s1", time.Time{}},
		},
		{
			name: "GetSession", method: "GetSession", resp: &pb.GetSessionResponse{Found: true, Session: info},
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetSession(ctx, "s1") },
			req:  &pb.GetSessionRequest{UserId: u, SessionId: "s1"}, want: &sess,
		},
		{
			name: "GetSession missing is Nil", method: "GetSession", resp: &pb.GetSessionResponse{},
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetSession(ctx, "s1") },
			req:  &pb.GetSessionRequest{UserId: u, SessionId: "s1"}, want: (*Session)(nil), wantErr: Nil,
		},
		{
			name: "UpdateSession", method: "UpdateSession", resp: &pb.UpdateSessionResponse{Success: true},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.UpdateSession(ctx, "s1", map[string]string{"b": "2"}, true)
			},
			req:  &pb.UpdateSessionRequest{UserId: u, SessionId: "s1", Data: map[string]string{"b": "2"}, ExtendTtl: true},
			want: true,
		},
		{
			name: "DeleteSession", method: "DeleteSession", resp: &pb.DeleteSessionResponse{Success: true},
			call: func(ctx context.Context, c *Client) (any, error) { return c.DeleteSession(ctx, "s1") },
			req:  &pb.DeleteSessionRequest{UserId: u, SessionId: "s1"}, want: true,
		},
		{
			name: "ListSessions", method: "ListSessions", resp: &pb.ListSessionsResponse{Sessions: []*pb.SessionInfo{info}},
			call: func(ctx context.Context, c *Client) (any, error) { return c.ListSessions(ctx) },
			req:  &pb.ListSessionsRequest{UserId: u, OrganizationId: o}, want: []Session{sess},
		},
	})
}
