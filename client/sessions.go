package client

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// Session is a server-side session: string data owned by one user, with
// its own TTL.
type Session struct {
	ID     string
	UserID string
	// Data is the session's data, including the "created_at" entry (RFC
	// 3339) the server adds for the existing clients.
	Data         map[string]string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	LastAccessed time.Time
}

// CreateSession stores a new session with data for the client's user and
// returns its id (unguessable) and expiry. A zero ttl means the server's
// default (24 h).
func (c *Client) CreateSession(ctx context.Context, data map[string]string, ttl time.Duration) (id string, expiresAt time.Time, err error) {
	req := &pb.CreateSessionRequest{UserId: c.user, OrganizationId: c.org, Data: data}
	if ttl != 0 {
		req.Ttl = durationpb.New(ttl)
	}
	r, err := c.rpc.CreateSession(ctx, req)
	if err != nil {
		return "", time.Time{}, err
	}
	return r.GetSessionId(), asTime(r.GetExpiresAt()), nil
}

// GetSession returns the session with id, or Nil if it does not exist, has
// expired or belongs to another user.
func (c *Client) GetSession(ctx context.Context, id string) (*Session, error) {
	r, err := c.rpc.GetSession(ctx, &pb.GetSessionRequest{UserId: c.user, SessionId: id})
	if err != nil {
		return nil, err
	}
	if !r.GetFound() {
		return nil, Nil
	}
	s := sessionFromPB(r.GetSession())
	return &s, nil
}

// UpdateSession merges data into the session's data; extendTTL restarts
// the session's own TTL. It reports whether the session exists.
func (c *Client) UpdateSession(ctx context.Context, id string, data map[string]string, extendTTL bool) (bool, error) {
	r, err := c.rpc.UpdateSession(ctx, &pb.UpdateSessionRequest{UserId: c.user, SessionId: id, Data: data, ExtendTtl: extendTTL})
	return r.GetSuccess(), err
}

// DeleteSession deletes the session and reports whether it existed.
func (c *Client) DeleteSession(ctx context.Context, id string) (bool, error) {
	r, err := c.rpc.DeleteSession(ctx, &pb.DeleteSessionRequest{UserId: c.user, SessionId: id})
	return r.GetSuccess(), err
}

// ListSessions returns the tenant's live sessions.
func (c *Client) ListSessions(ctx context.Context) ([]Session, error) {
	r, err := c.rpc.ListSessions(ctx, &pb.ListSessionsRequest{UserId: c.user, OrganizationId: c.org})
	if err != nil {
		return nil, err
	}
	out := make([]Session, len(r.GetSessions()))
	for i, s := range r.GetSessions() {
		out[i] = sessionFromPB(s)
	}
	return out, nil
}

func sessionFromPB(s *pb.SessionInfo) Session {
	return Session{
		ID:           s.GetSessionId(),
		UserID:       s.GetUserId(),
		Data:         s.GetData(),
		CreatedAt:    asTime(s.GetCreatedAt()),
		ExpiresAt:    asTime(s.GetExpiresAt()),
		LastAccessed: asTime(s.GetLastAccessed()),
	}
}

// asTime converts a wire timestamp; an unset one is the zero time, not the
// Unix epoch AsTime would give.
func asTime(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}
