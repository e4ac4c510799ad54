package redisbackend

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestListKeysLargeTenant walks more keys than one SCAN step holds, next
// to the tenant's locks and sessions (the backend's own keys, never
// listed), in both layouts.
func TestListKeysLargeTenant(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *Backend{"standalone": standalone, "cluster": cluster} {
		t.Run(name, func(t *testing.T) {
			b := open(t)
			ctx := testCtx(t)
			tn := freshTenant()
			n, err := b.lay.tenant(tn)
			require.NoError(t, err)
			const total = 2*scanCount + 17
			p := b.Client().Pipeline()
			want := make([]string, total)
			for i := range want {
				want[i] = fmt.Sprintf("key:%05d", i)
				p.Set(ctx, n.key(want[i]), "v", time.Minute)
			}
			_, err = p.Exec(ctx)
			require.NoError(t, err)
			_, ok, err := b.AcquireLock(ctx, tn, "key:lock", time.Minute, 0)
			require.NoError(t, err)
			require.True(t, ok)
			_, err = b.CreateSession(ctx, tn, nil, time.Minute)
			require.NoError(t, err)
			sort.Strings(want)

			keys, n2, err := b.ListKeys(ctx, tn, "key:*", 0)
			require.NoError(t, err)
			assert.Equal(t, total, n2)
			assert.Equal(t, want, keys, "all of them, sorted, no lock or session")

			keys, n2, err = b.ListKeys(ctx, tn, "key:0000?", 3)
			require.NoError(t, err)
			assert.Equal(t, 10, n2, "the count before truncation")
			assert.Equal(t, []string{"key:00000", "key:00001", "key:00002"}, keys)

			other := freshTenant()
			keys, n2, err = b.ListKeys(ctx, other, "*", 0)
			require.NoError(t, err)
			assert.Empty(t, keys)
			assert.Zero(t, n2)
		})
	}
}
