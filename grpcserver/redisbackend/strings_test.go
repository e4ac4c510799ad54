package redisbackend

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// freshTenant is a tenant no other test (or earlier run) uses.
func freshTenant() grpcserver.Tenant {
	return grpcserver.Tenant{Org: "o" + newToken()[:12], User: "u" + newToken()[:12]}
}

// TestLegacyLayoutIsReadable: data the earlier service wrote straight into
// Redis, under its names, is what the backend serves, and what the backend
// writes is where the earlier service would look.
func TestLegacyLayoutIsReadable(t *testing.T) {
	b := standalone(t)
	ctx := testCtx(t)
	tn := freshTenant()
	noOrg := grpcserver.Tenant{User: tn.User}
	raw := b.Client()
	require.NoError(t, raw.Set(ctx, "org-"+tn.Org+":user-"+tn.User+":greeting", "hello", 0).Err())
	require.NoError(t, raw.Set(ctx, "user-"+tn.User+":greeting", "hi", 0).Err())
	t.Cleanup(func() {
		raw.Del(ctx, "org-"+tn.Org+":user-"+tn.User+":greeting", "user-"+tn.User+":greeting", "user-"+tn.User+":new")
	})

	v, found, err := b.Get(ctx, tn, "greeting")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "hello", v)
	v, _, err = b.Get(ctx, noOrg, "greeting")
	require.NoError(t, err)
	assert.Equal(t, "hi", v, "without organization: user-{user}:{key}")

	require.NoError(t, b.Set(ctx, noOrg, "new", "x", 0))
	got, err := raw.Get(ctx, "user-"+tn.User+":new").Result()
	require.NoError(t, err)
	assert.Equal(t, "x", got)
}

func TestSetKeepsMillisecondTTL(t *testing.T) {
	b := standalone(t)
	ctx := testCtx(t)
	tn := freshTenant()
	n, err := b.lay.tenant(tn)
	require.NoError(t, err)
	require.NoError(t, b.Set(ctx, tn, "k", "v", 90_250*time.Millisecond))
	ms, err := b.Client().PTTL(ctx, n.key("k")).Result()
	require.NoError(t, err)
	assert.InDelta(t, 90_250, ms.Milliseconds(), 1000, "PX, not EX: sub-second TTLs survive")
	assert.NotEqual(t, int64(0), ms.Milliseconds()%1000, "not rounded to seconds")

	require.NoError(t, b.Set(ctx, tn, "tiny", "v", time.Microsecond))
	// A TTL below a millisecond is one millisecond (as the engine), not
	// "no TTL": the key is gone almost at once.
	require.Eventually(t, func() bool {
		_, found, err := b.Get(ctx, tn, "tiny")
		return err == nil && !found
	}, 5*time.Second, 5*time.Millisecond)
}
