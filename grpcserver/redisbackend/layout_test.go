package redisbackend

import (
	"math/rand/v2"
	"strings"
	"testing"

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
		n, err := layout{cluster: tc.cluster}.tenant(tc.t)
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
		l := layout{cluster: cluster}
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
	l := layout{ids: IDsReject}
	for _, c := range strings.Split(forbiddenIDChars, "") {
		_, err := l.tenant(grpcserver.Tenant{User: "a" + c})
		require.Equal(t, codes.InvalidArgument, status.Code(err), "user with %q", c)
		assert.Contains(t, status.Convert(err).Message(), "user_id must not contain")
		_, err = l.tenant(grpcserver.Tenant{Org: c, User: "u"})
		require.Equal(t, codes.InvalidArgument, status.Code(err), "org %q", c)
	}
	n, err := l.tenant(grpcserver.Tenant{Org: "o%", User: "u-1.x"})
	require.NoError(t, err, "everything else is kept literally")
	assert.Equal(t, "org-o%:user-u-1.x:", n.prefix)
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
