package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/store"
	"github.com/isa-cloud/isa-memstore/ttl"
)

// recount walks the namespace and computes what Stats must report.
func recount(t *testing.T, db *DB) Stats {
	t.Helper()
	var s Stats
	db.ks.Scan(db.e.now(), func(k string, e *store.Entry) bool {
		s.Keys++
		s.MemoryBytes += e.Size(k)
		switch e.Type() {
		case TypeString:
			s.Strings++
		case TypeHash:
			s.Hashes++
		case TypeList:
			s.Lists++
		case TypeSet:
			s.Sets++
		case TypeZSet:
			s.ZSets++
		}
		return true
	})
	return s
}

func TestStatsEqualRecountAfterRandomOperations(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			clock := ttl.NewManual(time.Time{})
			e := coordEngine(t, clock, Options{})
			db := e.DB("ns")
			rng := rand.New(rand.NewPCG(seed, 42))

			// model: what is live, to predict hits and misses.
			type val struct {
				deadline time.Time // zero: none
			}
			model := map[string]val{}
			live := func(k string) bool {
				v, ok := model[k]
				if ok && !v.deadline.IsZero() && !clock.Now().Before(v.deadline) {
					delete(model, k)
					return false
				}
				return ok
			}
			var commands, hits, misses int64
			lookup := func(k string) {
				if live(k) {
					hits++
				} else {
					misses++
				}
			}
			key := func() string { return fmt.Sprintf("k%d", rng.IntN(40)) }

			for i := 0; i < 3000; i++ {
				k := key()
				switch rng.IntN(10) {
				case 0, 1:
					var ttl time.Duration
					if rng.IntN(3) == 0 {
						ttl = time.Duration(1+rng.IntN(5000)) * time.Millisecond
					}
					_, err := db.Set(k, fmt.Sprint(rng.IntN(1000)), SetOptions{TTL: ttl})
					require.NoError(t, err)
					model[k] = val{}
					if ttl > 0 {
						model[k] = val{deadline: clock.Now().Add(ttl)}
					}
					commands++
				case 2, 3:
					_, found, err := db.Get(k)
					require.NoError(t, err)
					require.Equal(t, live(k), found)
					lookup(k)
					commands++
				case 4:
					k2 := key()
					_, err := db.MGet(k, k2)
					require.NoError(t, err)
					lookup(k)
					lookup(k2)
					commands++
				case 5:
					_, err := db.Del(k)
					require.NoError(t, err)
					delete(model, k)
					commands++
				case 6:
					_, err := db.Append(k, "x") // may make a number non-numeric
					require.NoError(t, err)
					if !live(k) {
						model[k] = val{}
					}
					commands++
				case 7:
					if _, err := db.Incr(k); err == nil && !live(k) {
						model[k] = val{}
					}
					commands++
				case 8:
					_, err := db.PTTL(k)
					require.NoError(t, err)
					lookup(k)
					commands++
				case 9:
					clock.Advance(time.Duration(rng.IntN(1500)) * time.Millisecond)
				}
				if i%100 == 0 {
					// Sometimes batch: each operation counts as a command.
					res, err := db.Batch([]BatchOp{{Op: "GET", Key: k}, {Op: "SET", Key: k, Value: "b"}})
					require.NoError(t, err)
					require.NoError(t, res[0].Err)
					lookup(k)
					model[k] = val{}
					commands += 2
				}
			}
			got, err := db.Stats()
			require.NoError(t, err)
			want := recount(t, db)
			for k := range model {
				live(k) // drop what expired
			}
			require.EqualValues(t, len(model), got.Keys, "model and engine agree on live keys")
			want.Commands, want.Hits, want.Misses = commands, hits, misses
			want.HitRate = float64(hits) / float64(hits+misses)
			require.Equal(t, want, got)
			require.NoError(t, db.ks.Verify())
		})
	}
}

func TestStatsHitRate(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	s, err := db.Stats()
	require.NoError(t, err)
	require.Zero(t, s.HitRate, "no lookups: 0, not NaN")
	require.Equal(t, Stats{}, s)

	_, err = db.Set("a", "1", SetOptions{})
	require.NoError(t, err)
	for _, k := range []string{"a", "a", "a", "b"} {
		_, _, err := db.Get(k)
		require.NoError(t, err)
	}
	s, err = db.Stats()
	require.NoError(t, err)
	require.EqualValues(t, 3, s.Hits)
	require.EqualValues(t, 1, s.Misses)
	require.Equal(t, 0.75, s.HitRate)
	require.EqualValues(t, 5, s.Commands)
	require.Equal(t, map[string]int64{"string": 1, "hash": 0, "list": 0, "set": 0, "zset": 0}, s.TypeDistribution())
	require.EqualValues(t, 1, s.KeysOfType(TypeString))
	require.Zero(t, s.KeysOfType(TypeNone))
}

func TestStatsNeverCountExpiredKeys(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")
	for i := 0; i < 10; i++ {
		_, err := db.Set(fmt.Sprint("t", i), "v", SetOptions{TTL: time.Second})
		require.NoError(t, err)
	}
	_, err := db.Set("keep", "v", SetOptions{})
	require.NoError(t, err)
	clock.Advance(time.Second)
	s, err := db.Stats()
	require.NoError(t, err)
	require.EqualValues(t, 1, s.Keys)
	require.EqualValues(t, 1, s.Strings)
	require.Equal(t, recount(t, db).MemoryBytes, s.MemoryBytes)
	es, err := e.Stats()
	require.NoError(t, err)
	require.EqualValues(t, 10, es.Expired)
}

func TestEngineStats(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	a, b := e.DB("a"), e.DB("b")
	ctx := testCtx(t)
	_, err := a.Set("x", "1", SetOptions{})
	require.NoError(t, err)
	_, err = a.Set("gone", "1", SetOptions{TTL: time.Millisecond})
	require.NoError(t, err)
	_, err = b.Set("y", "22", SetOptions{})
	require.NoError(t, err)
	_, _, err = b.Get("y")
	require.NoError(t, err)
	_, _, err = a.Get("nope")
	require.NoError(t, err)
	_, _, err = a.AcquireLock(ctx, "l", 0, 0)
	require.NoError(t, err)
	_, err = b.CreateSession("u", nil, time.Hour)
	require.NoError(t, err)
	clock.Advance(5 * time.Second)

	es, err := e.Stats()
	require.NoError(t, err)
	sa, err := a.Stats()
	require.NoError(t, err)
	sb, err := b.Stats()
	require.NoError(t, err)
	require.EqualValues(t, 2, es.Keys)
	require.Equal(t, sa.Keys+sb.Keys, es.Keys)
	require.Equal(t, sa.MemoryBytes+sb.MemoryBytes, es.MemoryBytes)
	require.Equal(t, e.UsedMemory(), es.MemoryBytes)
	require.Equal(t, sa.Commands+sb.Commands, es.Commands)
	require.EqualValues(t, 7, es.Commands, "5 key commands, the lock and the session")
	require.EqualValues(t, 1, es.Hits)
	require.EqualValues(t, 1, es.Misses)
	require.Equal(t, 0.5, es.HitRate)
	require.EqualValues(t, 1, es.Expired)
	require.Zero(t, es.Evicted)
	require.Equal(t, 5*time.Second, es.Uptime)
	require.Equal(t, 2, es.Namespaces)
	require.EqualValues(t, 1, es.Sessions)

	require.NoError(t, e.Close())
	_, err = e.Stats()
	require.ErrorIs(t, err, ErrClosed)
	_, err = a.Stats()
	require.ErrorIs(t, err, ErrClosed)
}

func TestHealthCheck(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{MaxMemory: 2048})
	require.NoError(t, e.HealthCheck(false))
	require.NoError(t, e.HealthCheck(true))
	es, err := e.Stats()
	require.NoError(t, err)
	require.Equal(t, EngineStats{}, es, "the deep check is invisible to statistics and tenants")
	require.Zero(t, e.UsedMemory())
	require.Empty(t, e.DBs())

	db := e.DB("ns")
	for i := 0; ; i++ {
		if _, err := db.Set(fmt.Sprint("k", i), "0123456789", SetOptions{}); err != nil {
			break
		}
	}
	require.NoError(t, e.HealthCheck(false))
	require.ErrorIs(t, e.HealthCheck(true), ErrOOM, "a deep check shows that writes fail")

	require.NoError(t, e.Close())
	require.ErrorIs(t, e.HealthCheck(false), ErrClosed)
}
