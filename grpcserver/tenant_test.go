package grpcserver

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// hostileTenants are tenants whose ids would collide under a naive
// "org:user:key" prefix, or act as glob patterns if spliced into one.
var hostileTenants = []Tenant{
	{Org: "", User: "a"},
	{Org: "", User: "a:x"},
	{Org: "a", User: "x"},
	{Org: "a:", User: "x"},
	{Org: "a", User: ":x"},
	{Org: "org-a", User: "user-*"},
	{Org: "org-*", User: "user-a"},
	{Org: "*", User: "*"},
	{Org: "?", User: "?"},
	{Org: "[a-z]", User: "[a-z]"},
	{Org: "1:", User: "a"},
	{Org: "", User: "1:a"},
	{Org: "user-a", User: "org-a"},
	{Org: `\`, User: `\*`},
}

func TestTenantIsolation(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	keys := []string{"k", "x:k", "*", "a:x:k", "[a-z]"}
	for i, tn := range hostileTenants {
		for _, k := range keys {
			_, err := c.Set(ctx, &pb.SetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: k, Value: fmt.Sprint(i)})
			require.NoError(t, err)
		}
		_, err := c.Set(ctx, &pb.SetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: fmt.Sprintf("own-%d", i), Value: "x"})
		require.NoError(t, err)
	}
	for i, tn := range hostileTenants {
		for _, k := range keys {
			got, err := c.Get(ctx, &pb.GetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: k})
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprint(i), got.Value, "tenant %+v key %q", tn, k)
		}
		for _, pattern := range []string{"", "*", "*k*", "own-*", "[a-z]*", "?"} {
			r, err := c.ListKeys(ctx, &pb.ListKeysRequest{UserId: tn.User, OrganizationId: tn.Org, Pattern: pattern})
			require.NoError(t, err)
			for _, k := range r.Keys {
				if strings.HasPrefix(k, "own-") {
					assert.Equal(t, fmt.Sprintf("own-%d", i), k, "tenant %+v sees another tenant's key via %q", tn, pattern)
				}
			}
		}
		r, err := c.ListKeys(ctx, &pb.ListKeysRequest{UserId: tn.User, OrganizationId: tn.Org})
		require.NoError(t, err)
		assert.Equal(t, int32(len(keys)+1), r.TotalCount, "tenant %+v", tn)
	}
	// Deleting everything of one tenant leaves the others intact.
	first := hostileTenants[0]
	r, err := c.ListKeys(ctx, &pb.ListKeysRequest{UserId: first.User, OrganizationId: first.Org})
	require.NoError(t, err)
	_, err = c.DeleteMultiple(ctx, &pb.DeleteMultipleRequest{UserId: first.User, OrganizationId: first.Org, Keys: r.Keys})
	require.NoError(t, err)
	for _, tn := range hostileTenants[1:] {
		got, err := c.Get(ctx, &pb.GetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "k"})
		require.NoError(t, err)
		assert.True(t, got.Found, "tenant %+v lost its key", tn)
	}
}

func TestTenantValidation(t *testing.T) {
	h := newHarness(t, Options{Limits: Limits{MaxIDBytes: 4, MaxKeyBytes: 2}})
	ctx := testCtx(t)
	c := h.client
	_, err := c.Get(ctx, &pb.GetRequest{OrganizationId: org, Key: "k"})
	requireCode(t, err, codes.PermissionDenied, "user_id is required")
	// The identity check comes first, even when the request is bad too.
	_, err = c.Get(ctx, &pb.GetRequest{Key: "too long"})
	requireCode(t, err, codes.PermissionDenied, "user_id is required")
	_, err = c.Get(ctx, &pb.GetRequest{UserId: "12345", Key: "k"})
	requireCode(t, err, codes.ResourceExhausted, "user_id is 5 bytes, above the limit of 4 bytes")
	_, err = c.Get(ctx, &pb.GetRequest{UserId: "u", OrganizationId: "12345", Key: "k"})
	requireCode(t, err, codes.ResourceExhausted, "organization_id is 5 bytes")
	_, err = c.Get(ctx, &pb.GetRequest{UserId: "u", Key: "123"})
	requireCode(t, err, codes.ResourceExhausted, "key is 3 bytes")
}

func TestLocksAndSessionsPerTenant(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	locks := make([]string, len(hostileTenants))
	sessions := make([]string, len(hostileTenants))
	for i, tn := range hostileTenants {
		a, err := c.AcquireLock(ctx, &pb.AcquireLockRequest{UserId: tn.User, OrganizationId: tn.Org, LockKey: "lock"})
		require.NoError(t, err)
		require.True(t, a.Acquired, "tenant %+v blocked by another tenant's lock", tn)
		locks[i] = a.LockId
		s, err := c.CreateSession(ctx, &pb.CreateSessionRequest{UserId: tn.User, OrganizationId: tn.Org, Data: map[string]string{"i": fmt.Sprint(i)}})
		require.NoError(t, err)
		sessions[i] = s.SessionId
	}
	for i, x := range hostileTenants {
		for j, y := range hostileTenants {
			if i == j {
				continue
			}
			r, err := c.ReleaseLock(ctx, &pb.ReleaseLockRequest{UserId: y.User, OrganizationId: y.Org, LockKey: "lock", LockId: locks[i]})
			require.NoError(t, err)
			assert.False(t, r.Released, "%+v released %+v's lock", y, x)
			if x.User != y.User { // sessions are found by user and id
				g, err := c.GetSession(ctx, &pb.GetSessionRequest{UserId: y.User, SessionId: sessions[i]})
				require.NoError(t, err)
				assert.False(t, g.Found, "%+v reads %+v's session", y, x)
			}
		}
		l, err := c.ListSessions(ctx, &pb.ListSessionsRequest{UserId: x.User, OrganizationId: x.Org})
		require.NoError(t, err)
		require.Len(t, l.Sessions, 1, "tenant %+v", x)
		assert.Equal(t, sessions[i], l.Sessions[0].SessionId)
		st, err := c.GetStatistics(ctx, &pb.GetStatisticsRequest{UserId: x.User, OrganizationId: x.Org})
		require.NoError(t, err)
		assert.Zero(t, st.TotalKeys, "locks and sessions are not keys")
	}
}
