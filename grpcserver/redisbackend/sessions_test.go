package redisbackend

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
)

func TestSessionsStayConsistent(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *Backend{"standalone": standalone, "cluster": cluster} {
		t.Run(name, func(t *testing.T) {
			b := open(t)
			ctx := testCtx(t)
			tn := freshTenant()
			n, _ := b.lay.tenant(tn)
			sameUserOtherOrg := grpcserver.Tenant{Org: "other", User: tn.User}

			// Data keys that look like the bookkeeping fields change nothing
			// but the data.
			s, err := b.CreateSession(ctx, tn, map[string]string{"u": "mallory", "e": "0", "created_at": "forged"}, time.Hour)
			require.NoError(t, err)
			assert.Len(t, s.ID, 32)
			assert.Equal(t, "mallory", s.Data["u"])
			assert.NotEqual(t, "forged", s.Data[engine.SessionCreatedAtKey], "server-owned")
			other, err := b.CreateSession(ctx, sameUserOtherOrg, nil, time.Hour)
			require.NoError(t, err)

			g, found, err := b.GetSession(ctx, tn.User, s.ID)
			require.NoError(t, err)
			require.True(t, found)
			assert.Equal(t, tn.User, g.User)
			assert.Equal(t, s.Data, g.Data)
			assert.Equal(t, s.CreatedAt, g.CreatedAt)
			assert.Equal(t, s.ExpiresAt, g.ExpiresAt)
			_, found, err = b.GetSession(ctx, "someone-else", s.ID)
			require.NoError(t, err)
			assert.False(t, found)

			l, err := b.ListSessions(ctx, tn)
			require.NoError(t, err)
			require.Len(t, l, 1, "the tenant's sessions, not the user's other organization's")
			assert.Equal(t, s.ID, l[0].ID)
			l, err = b.ListSessions(ctx, sameUserOtherOrg)
			require.NoError(t, err)
			require.Len(t, l, 1)
			assert.Equal(t, other.ID, l[0].ID)

			ok, err := b.UpdateSession(ctx, tn.User, s.ID, map[string]string{"k": "v", "created_at": "forged"}, true)
			require.NoError(t, err)
			require.True(t, ok)
			g, _, err = b.GetSession(ctx, tn.User, s.ID)
			require.NoError(t, err)
			assert.Equal(t, "v", g.Data["k"])
			assert.Equal(t, s.Data[engine.SessionCreatedAtKey], g.Data[engine.SessionCreatedAtKey])
			assert.False(t, g.ExpiresAt.Before(s.ExpiresAt), "extended from now")
			score, err := b.Client().ZScore(ctx, n.sessionIndex(), s.ID).Result()
			require.NoError(t, err)
			assert.Equal(t, g.ExpiresAt.UnixMilli(), int64(score), "the index follows the deadline")

			ok, err = b.DeleteSession(ctx, tn.User, s.ID)
			require.NoError(t, err)
			require.True(t, ok)
			ok, err = b.DeleteSession(ctx, tn.User, s.ID)
			require.NoError(t, err)
			assert.False(t, ok)
			assert.Zero(t, b.Client().Exists(ctx, n.sessionKey(s.ID)).Val())
			_, err = b.Client().ZScore(ctx, n.sessionIndex(), s.ID).Result()
			assert.Error(t, err, "gone from the index in the same script")
		})
	}
}

func TestExpiredSessionsLeaveNoTrace(t *testing.T) {
	b := standalone(t)
	ctx := testCtx(t)
	tn := freshTenant()
	n, _ := b.lay.tenant(tn)
	s, err := b.CreateSession(ctx, tn, map[string]string{"a": "1"}, 150*time.Millisecond)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, found, err := b.GetSession(ctx, tn.User, s.ID)
		return err == nil && !found
	}, 10*time.Second, 10*time.Millisecond)
	l, err := b.ListSessions(ctx, tn)
	require.NoError(t, err)
	assert.Empty(t, l)
	require.Eventually(t, func() bool {
		return b.Client().Exists(ctx, n.sessionKey(s.ID), n.sessionIndex()).Val() == 0
	}, 10*time.Second, 10*time.Millisecond, "the hash expires with the session, the index with its last session")

	_, err = b.CreateSession(ctx, tn, nil, -time.Second)
	assert.EqualError(t, err, "ERR invalid session ttl: must not be negative")
	d, err := b.CreateSession(ctx, tn, nil, 0)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(DefaultSessionTTL), d.ExpiresAt, time.Minute)
}
