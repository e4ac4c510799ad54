package grpcserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestSessions(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	start := h.clock.Now()
	cr, err := c.CreateSession(ctx, &pb.CreateSessionRequest{UserId: user, OrganizationId: org, Data: map[string]string{"role": "admin"}, Ttl: durationpb.New(time.Hour)})
	require.NoError(t, err)
	assert.Len(t, cr.SessionId, 32, "128 random bits, hex")
	assert.Equal(t, start.Add(time.Hour), cr.ExpiresAt.AsTime())

	h.clock.Advance(10 * time.Minute)
	g, err := c.GetSession(ctx, &pb.GetSessionRequest{UserId: user, SessionId: cr.SessionId})
	require.NoError(t, err)
	require.True(t, g.Found)
	s := g.Session
	assert.Equal(t, cr.SessionId, s.SessionId)
	assert.Equal(t, user, s.UserId)
	assert.Equal(t, map[string]string{"role": "admin", "created_at": start.UTC().Format(time.RFC3339)}, s.Data)
	assert.Equal(t, start, s.CreatedAt.AsTime())
	assert.Equal(t, start.Add(time.Hour), s.ExpiresAt.AsTime())
	assert.Equal(t, h.clock.Now(), s.LastAccessed.AsTime())

	u, err := c.UpdateSession(ctx, &pb.UpdateSessionRequest{UserId: user, SessionId: cr.SessionId, Data: map[string]string{"theme": "dark"}, ExtendTtl: true})
	require.NoError(t, err)
	assert.True(t, u.Success)
	g, err = c.GetSession(ctx, &pb.GetSessionRequest{UserId: user, SessionId: cr.SessionId})
	require.NoError(t, err)
	assert.Equal(t, "admin", g.Session.Data["role"], "merged")
	assert.Equal(t, "dark", g.Session.Data["theme"])
	assert.Equal(t, h.clock.Now().Add(time.Hour), g.Session.ExpiresAt.AsTime(), "its own TTL restarted")

	l, err := c.ListSessions(ctx, &pb.ListSessionsRequest{UserId: user, OrganizationId: org})
	require.NoError(t, err)
	require.Len(t, l.Sessions, 1)
	assert.Equal(t, cr.SessionId, l.Sessions[0].SessionId)
	l, err = c.ListSessions(ctx, &pb.ListSessionsRequest{UserId: user, OrganizationId: "other-org"})
	require.NoError(t, err)
	assert.Empty(t, l.Sessions, "listed for its tenant only")

	// Another user neither reads, updates nor deletes it.
	g, err = c.GetSession(ctx, &pb.GetSessionRequest{UserId: "intruder", SessionId: cr.SessionId})
	require.NoError(t, err)
	assert.False(t, g.Found)
	assert.Nil(t, g.Session)
	u, err = c.UpdateSession(ctx, &pb.UpdateSessionRequest{UserId: "intruder", SessionId: cr.SessionId, Data: map[string]string{"role": "x"}})
	require.NoError(t, err)
	assert.False(t, u.Success)
	d, err := c.DeleteSession(ctx, &pb.DeleteSessionRequest{UserId: "intruder", SessionId: cr.SessionId})
	require.NoError(t, err)
	assert.False(t, d.Success)

	d, err = c.DeleteSession(ctx, &pb.DeleteSessionRequest{UserId: user, SessionId: cr.SessionId})
	require.NoError(t, err)
	assert.True(t, d.Success)
	d, err = c.DeleteSession(ctx, &pb.DeleteSessionRequest{UserId: user, SessionId: cr.SessionId})
	require.NoError(t, err)
	assert.False(t, d.Success, "only if it existed")
}

func TestSessionDefaultsAndExpiry(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	cr, err := c.CreateSession(ctx, &pb.CreateSessionRequest{UserId: user})
	require.NoError(t, err)
	assert.Equal(t, h.clock.Now().Add(24*time.Hour), cr.ExpiresAt.AsTime(), "default TTL 24 h")
	h.clock.Advance(24 * time.Hour)
	g, err := c.GetSession(ctx, &pb.GetSessionRequest{UserId: user, SessionId: cr.SessionId})
	require.NoError(t, err)
	assert.False(t, g.Found, "expired")

	_, err = c.CreateSession(ctx, &pb.CreateSessionRequest{UserId: user, Ttl: durationpb.New(-time.Second)})
	requireCode(t, err, codes.InvalidArgument, "ttl must not be negative")
}

func TestSessionLimits(t *testing.T) {
	h := newHarness(t, Options{Limits: Limits{MaxElements: 1, MaxKeyBytes: 4, MaxValueBytes: 4}})
	ctx := testCtx(t)
	c := h.client
	_, err := c.CreateSession(ctx, &pb.CreateSessionRequest{UserId: user, Data: map[string]string{"a": "1", "b": "2"}})
	requireCode(t, err, codes.ResourceExhausted, "2 data entries in one request")
	_, err = c.CreateSession(ctx, &pb.CreateSessionRequest{UserId: user, Data: map[string]string{"a": "12345"}})
	requireCode(t, err, codes.ResourceExhausted, "a data value is 5 bytes")
	_, err = c.GetSession(ctx, &pb.GetSessionRequest{UserId: user, SessionId: "12345"})
	requireCode(t, err, codes.ResourceExhausted, "session_id is 5 bytes")
	_, err = c.GetSession(ctx, &pb.GetSessionRequest{SessionId: "x"})
	requireCode(t, err, codes.PermissionDenied, "user_id is required")
}
