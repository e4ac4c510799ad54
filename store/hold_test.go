package store

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// locked reports whether shard i's mutex is held (by anyone).
func locked(ks *Keyspace, i int) bool {
	if ks.shards[i].mu.TryLock() {
		ks.shards[i].mu.Unlock()
		return false
	}
	return true
}

func TestTxHold(t *testing.T) {
	ks := newTestKeyspace(t, 16)
	lo, mid, hi := keysInShard(t, ks, 2, 1)[0], keysInShard(t, ks, 7, 1)[0], keysInShard(t, ks, 12, 1)[0]
	same := keyInShardOf(t, ks, mid)

	t.Run("single-shard transaction", func(t *testing.T) {
		update(t, ks, 1, mid, func(tx *Tx) {
			require.True(t, tx.Hold(same), "its own shard")
			require.Empty(t, tx.extra)
			require.True(t, tx.Hold(hi), "a later shard is waited for")
			require.True(t, locked(ks, 12))
			require.True(t, tx.Hold(lo), "an earlier free shard is taken")
			require.True(t, tx.Hold(hi), "held already")
			require.Equal(t, []int{12, 2}, tx.extra)
			for _, k := range []string{lo, mid, hi} {
				tx.Put(k, NewString("v"))
			}
		})
		for _, i := range []int{2, 7, 12} {
			require.False(t, locked(ks, i), "shard %d released", i)
		}
		update(t, ks, 1, lo, func(tx *Tx) {
			require.Equal(t, "v", tx.Get(lo).Str())
			require.Panics(t, func() { tx.Get(hi) }, "a new transaction holds only its shards")
		})
	})

	t.Run("earlier shard busy", func(t *testing.T) {
		ks.shards[2].mu.Lock()
		update(t, ks, 1, mid, func(tx *Tx) {
			require.False(t, tx.Hold(lo))
			require.Panics(t, func() { tx.Get(lo) })
		})
		require.True(t, locked(ks, 2), "still the other holder's")
		ks.shards[2].mu.Unlock()
	})

	t.Run("multi-shard transaction", func(t *testing.T) {
		require.NoError(t, ks.UpdateKeys(1, []string{lo, hi}, func(tx *Tx) error {
			started := tx.set
			require.True(t, tx.Hold(mid), "free, so taken though earlier than 12")
			require.True(t, started.has(2) && started.has(12) && !started.has(7), "updateSet's own set is untouched")
			tx.Delete(mid)
			tx.Delete(lo)
			tx.Delete(hi)
			return nil
		}))
		for _, i := range []int{2, 7, 12} {
			require.False(t, locked(ks, i), "shard %d released", i)
		}
	})
}

func TestTxNote(t *testing.T) {
	ks := newTestKeyspace(t, 16)
	update(t, ks, 1, "k", func(tx *Tx) {
		require.Nil(t, tx.Note())
		tx.SetNote(42)
		require.Equal(t, 42, tx.Note())
	})
	update(t, ks, 1, "k", func(tx *Tx) { require.Nil(t, tx.Note(), "cleared when the transaction ended") })
}
