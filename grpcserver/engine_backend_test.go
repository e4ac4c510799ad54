package grpcserver

import (
	"testing"

	"github.com/stretchr/testify/require"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestNamespaceInjective(t *testing.T) {
	seen := map[string]Tenant{}
	for _, tn := range hostileTenants {
		ns := namespace(tn)
		prev, dup := seen[ns]
		require.False(t, dup, "%+v and %+v share namespace %q", prev, tn, ns)
		seen[ns] = tn
	}
}

// TestNamespaceInjectiveExhaustive tries every tenant whose ids are made of
// up to 3 characters from an alphabet of separators and digits (the
// characters an encoding could trip on): no two share a namespace. An
// exhaustive small search proves more here than random fuzzing would, and
// costs milliseconds.
func TestNamespaceInjectiveExhaustive(t *testing.T) {
	var ids []string
	var grow func(prefix string)
	grow = func(prefix string) {
		ids = append(ids, prefix)
		if len(prefix) == 3 {
			return
		}
		for _, c := range []string{"a", ":", "1", "2", "*"} {
			grow(prefix + c)
		}
	}
	grow("")
	seen := make(map[string]Tenant, len(ids)*len(ids))
	for _, o := range ids {
		for _, u := range ids {
			tn := Tenant{Org: o, User: u}
			ns := namespace(tn)
			if prev, dup := seen[ns]; dup {
				t.Fatalf("%+v and %+v share namespace %q", prev, tn, ns)
			}
			seen[ns] = tn
		}
	}
	require.Len(t, seen, len(ids)*len(ids))
}

func TestEngineBackendDB(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	tn := Tenant{Org: "o:", User: "u"}
	_, err := h.client.Set(ctx, &pb.SetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "k", Value: "over the wire"})
	require.NoError(t, err)
	v, found, err := NewEngineBackend(h.eng).DB(tn).Get("k")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "over the wire", v)
}
