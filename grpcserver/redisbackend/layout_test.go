package redisbackend

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

func TestTenantNames(t *testing.T) {
	for _, tc := range []struct {
		t                   grpcserver.Tenant
		cluster             bool
		prefix, tag, sesTag string
	}{
		{grpcserver.Tenant{Org: "o", User: "u"}, false, "org-o:user-u:", "{org-o:user-u}", "{user-u}"},
		{grpcserver.Tenant{User: "u"}, false, "user-u:", "{user-u}", "{user-u}"},
		{grpcserver.Tenant{Org: "o", User: "u"}, true, "{org-o:user-u}:", "{org-o:user-u}", "{user-u}"},
		{grpcserver.Tenant{User: "u"}, true, "{user-u}:", "{user-u}", "{user-u}"},
		// Escaped: no id can bring a separator, a brace or a glob in.
		{grpcserver.Tenant{Org: "a:b", User: "*"}, false, "org-a%3Ab:user-%2A:", "{org-a%3Ab:user-%2A}", "{user-%2A}"},
		{grpcserver.Tenant{User: "x}y{%"}, true, "{user-x%7Dy%7B%25}:", "{user-x%7Dy%7B%25}", "{user-x%7Dy%7B%25}"},
	} {
		n, err := layout{cluster: tc.cluster, ids: IDsEscape}.tenant(tc.t)
		require.NoError(t, err)
		assert.Equal(t, tc.prefix, n.prefix, "%+v", tc.t)
		assert.Equal(t, tc.tag, n.tag)
		assert.Equal(t, tc.sesTag, n.session)
		assert.Equal(t, tc.prefix+"k", n.key("k"))
		k, ok := n.strip(n.key("x:k"))
		assert.True(t, ok)
		assert.Equal(t, "x:k", k)
		assert.True(t, strings.HasPrefix(n.lockKey("l"), internalRoot))
		assert.False(t, strings.HasPrefix(n.prefix, internalRoot), "no tenant reaches the backend's own keys")
	}
}

// TestEscapeIsInjective draws ids from the characters that matter and
// checks that different tenants never share a prefix, and that no prefix
// is a prefix of another's (which would let one tenant's SCAN MATCH see
// the other's keys).
func TestEscapeIsInjective(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ab:{}*?[]\\%-org-user-3A"
	id := func() string {
		b := make([]byte, r.IntN(5))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for _, cluster := range []bool{false, true} {
		l := layout{cluster: cluster, ids: IDsEscape}
		seen := map[string]grpcserver.Tenant{}
		for range 20000 {
			tn := grpcserver.Tenant{Org: id(), User: id()}
			if tn.User == "" {
				continue
			}
			n, err := l.tenant(tn)
			require.NoError(t, err)
			if prev, ok := seen[n.prefix]; ok {
				require.Equal(t, prev, tn, "two tenants share the prefix %q", n.prefix)
			}
			seen[n.prefix] = tn
			body := strings.TrimSuffix(n.prefix, ":")
			if cluster {
				body = strings.TrimSuffix(strings.TrimPrefix(body, "{"), "}")
			}
			assert.False(t, strings.ContainsAny(body, "{}*?[]\\"), "%q", n.prefix)
		}
		prefixes := make([]string, 0, len(seen))
		for p := range seen {
			prefixes = append(prefixes, p)
		}
		for i, p := range prefixes[:100] {
			for _, q := range prefixes[i+1:] {
				require.False(t, strings.HasPrefix(p, q) || strings.HasPrefix(q, p), "%q and %q overlap", p, q)
			}
		}
	}
}

func TestRejectPolicy(t *testing.T) {
	var l layout // the zero policy: the default
	require.Equal(t, IDsReject, l.ids)
	for _, c := range strings.Split(ForbiddenIDChars, "") {
		_, err := l.tenant(grpcserver.Tenant{User: "a" + c})
		require.Equal(t, codes.InvalidArgument, status.Code(err), "user with %q", c)
		msg := status.Convert(err).Message()
		assert.Contains(t, msg, "user_id "+strconv.Quote("a"+c)+" contains "+strconv.QuoteRune(rune(c[0])))
		assert.NotContains(t, msg, "organization_id")
		_, err = l.tenant(grpcserver.Tenant{Org: c, User: "u"})
		require.Equal(t, codes.InvalidArgument, status.Code(err), "org %q", c)
		assert.Contains(t, status.Convert(err).Message(), "organization_id "+strconv.Quote(c)+" contains "+strconv.QuoteRune(rune(c[0])))
	}
	n, err := l.tenant(grpcserver.Tenant{Org: "o%", User: "u-1.x"})
	require.NoError(t, err, "everything else is kept literally")
	assert.Equal(t, "org-o%:user-u-1.x:", n.prefix)

	// Both ids, every offending character once, in order.
	err = l.check(grpcserver.Tenant{Org: "[a-z]*", User: "u:x:y"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	msg := status.Convert(err).Message()
	assert.Contains(t, msg, `user_id "u:x:y" contains ':'; organization_id "[a-z]*" contains '[', ']', '*'`)
	assert.Contains(t, msg, "org-{org}:user-{user}:{key}")

	require.NoError(t, layout{ids: IDsEscape}.check(grpcserver.Tenant{Org: "*", User: "a:b"}))
}

func TestEscapeGlob(t *testing.T) {
	for in, want := range map[string]string{
		"plain":           "plain",
		"user-a:":         "user-a:",
		`a*b?c[d]e\`:      `a\*b\?c\[d\]e\\`,
		"{org-o:user-u}:": "{org-o:user-u}:",
	} {
		assert.Equal(t, want, escapeGlob(in))
	}
}

// TestAmbiguousIDsWriteNothing calls every Backend method with ids the
// layout cannot hold, carrying a random marker, and then looks at Redis
// itself: every call is refused and no key or channel holds the marker.
func TestAmbiguousIDsWriteNothing(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *Backend{"standalone": standalone, "cluster": cluster} {
		t.Run(name, func(t *testing.T) {
			b := open(t)
			ctx := testCtx(t)
			marker := "amb" + newToken()[:12]
			for _, tn := range []grpcserver.Tenant{
				{User: marker + ":x"},
				{Org: marker + "*", User: "u"},
				{Org: "o", User: marker + "}{"},
				{Org: "[" + marker + "]", User: "?" + marker},
			} {
				refused := func(what string, err error) {
					t.Helper()
					require.Equal(t, codes.InvalidArgument, status.Code(err), "%s %+v: %v", what, tn, err)
					assert.Contains(t, status.Convert(err).Message(), marker, what)
				}
				fields := []grpcserver.HashField{{Field: "f", Value: "v"}}
				refused("CheckTenant", b.CheckTenant(tn))
				refused("Set", b.Set(ctx, tn, "k", "v", time.Hour))
				_, _, err := b.Get(ctx, tn, "k")
				refused("Get", err)
				_, err = b.GetMultiple(ctx, tn, []string{"k"})
				refused("GetMultiple", err)
				_, err = b.IncrBy(ctx, tn, "n", 1)
				refused("IncrBy", err)
				_, err = b.DecrBy(ctx, tn, "n", 1)
				refused("DecrBy", err)
				_, err = b.Append(ctx, tn, "a", "v")
				refused("Append", err)
				_, err = b.Delete(ctx, tn, []string{"k"})
				refused("Delete", err)
				_, err = b.Exists(ctx, tn, "k")
				refused("Exists", err)
				_, err = b.Expire(ctx, tn, "k", time.Hour)
				refused("Expire", err)
				_, err = b.TTL(ctx, tn, "k")
				refused("TTL", err)
				refused("Rename", b.Rename(ctx, tn, "k", "k2"))
				_, _, err = b.ListKeys(ctx, tn, "*", 0)
				refused("ListKeys", err)
				_, err = b.HSet(ctx, tn, "h", fields)
				refused("HSet", err)
				_, err = b.HIncrBy(ctx, tn, "h2", "f", 1)
				refused("HIncrBy", err)
				_, err = b.HDel(ctx, tn, "h", []string{"f"})
				refused("HDel", err)
				_, err = b.LPush(ctx, tn, "l", []string{"a"})
				refused("LPush", err)
				_, err = b.RPush(ctx, tn, "l", []string{"a"})
				refused("RPush", err)
				_, _, err = b.LPop(ctx, tn, "l")
				refused("LPop", err)
				refused("LTrim", b.LTrim(ctx, tn, "l", 0, -1))
				_, err = b.SAdd(ctx, tn, "s", []string{"m"})
				refused("SAdd", err)
				_, err = b.SRem(ctx, tn, "s", []string{"m"})
				refused("SRem", err)
				_, err = b.ZAdd(ctx, tn, "z", []grpcserver.ZMember{{Member: "m", Score: 1}})
				refused("ZAdd", err)
				_, err = b.ZIncrBy(ctx, tn, "z2", "m", 1)
				refused("ZIncrBy", err)
				_, _, err = b.AcquireLock(ctx, tn, "lock", time.Minute, 0)
				refused("AcquireLock", err)
				_, err = b.ReleaseLock(ctx, tn, "lock", "id")
				refused("ReleaseLock", err)
				_, _, err = b.RenewLock(ctx, tn, "lock", "id", time.Minute)
				refused("RenewLock", err)
				_, err = b.Publish(ctx, tn, "ch", "m")
				refused("Publish", err)
				_, err = b.Subscribe(ctx, tn, []string{"ch"})
				refused("Subscribe", err)
				_, err = b.ExecuteBatch(ctx, tn, []grpcserver.BatchOp{{Op: "SET", Key: "b", Value: "v"}, {Op: "HSET", Key: "bh", Value: "v"}})
				refused("ExecuteBatch", err)
				_, err = b.CreateSession(ctx, tn, map[string]string{"k": "v"}, time.Hour)
				refused("CreateSession", err)
				_, err = b.ListSessions(ctx, tn)
				refused("ListSessions", err)
				_, err = b.Statistics(ctx, tn)
				refused("Statistics", err)
				_, _, err = b.KeyInfo(ctx, tn, "k")
				refused("KeyInfo", err)
				if strings.ContainsAny(tn.User, ForbiddenIDChars) {
					_, err = b.UpdateSession(ctx, tn.User, "id", map[string]string{"k": "v"}, true)
					refused("UpdateSession", err)
					_, _, err = b.GetSession(ctx, tn.User, "id")
					refused("GetSession", err)
					_, err = b.DeleteSession(ctx, tn.User, "id")
					refused("DeleteSession", err)
				}
			}

			// Direct inspection, on every node.
			look := func(c redis.Cmdable) error {
				keys, err := c.Keys(ctx, "*"+marker+"*").Result() // a throwaway test server: KEYS is fine
				if err != nil {
					return err
				}
				assert.Empty(t, keys, "keys written by refused calls")
				chans, err := c.PubSubChannels(ctx, "*"+marker+"*").Result()
				if err != nil {
					return err
				}
				assert.Empty(t, chans, "channels subscribed by refused calls")
				return nil
			}
			if cc, ok := b.Client().(*redis.ClusterClient); ok {
				require.NoError(t, cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return look(c) }))
			} else {
				require.NoError(t, look(b.Client()))
			}
		})
	}
}
