package grpcserver

import (
	"testing"

	"github.com/stretchr/testify/require"
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

func FuzzNamespaceInjective(f *testing.F) {
	f.Add("a", "x:k", "a:x", "k")
	f.Add("1:", "a", "", "1:a")
	f.Fuzz(func(t *testing.T, o1, u1, o2, u2 string) {
		a, b := Tenant{o1, u1}, Tenant{o2, u2}
		if a != b && namespace(a) == namespace(b) {
			t.Fatalf("%+v and %+v share namespace %q", a, b, namespace(a))
		}
	})
}
