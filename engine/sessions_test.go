package engine

import (
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/ttl"
)

func TestSessionLifecycle(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("org-1/user-1")
	start := clock.Now()

	in := map[string]string{"theme": "dark", "lang": "en"}
	s, err := db.CreateSession("user-1", in, time.Hour)
	require.NoError(t, err)
	in["theme"] = "light" // the session keeps its own copy
	require.Equal(t, "user-1", s.User)
	require.Equal(t, "org-1/user-1", s.Namespace)
	require.Equal(t, start, s.CreatedAt)
	require.Equal(t, start.Add(time.Hour), s.ExpiresAt)
	require.Equal(t, time.Hour, s.TTL)
	createdAt := start.Format(time.RFC3339)
	require.Equal(t, map[string]string{"theme": "dark", "lang": "en", "created_at": createdAt}, s.Data)

	clock.Advance(time.Minute)
	got, found, err := e.GetSession("user-1", s.ID)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, s.ID, got.ID)
	require.Equal(t, s.Data, got.Data)
	require.Equal(t, start, got.CreatedAt)
	require.Equal(t, start.Add(time.Hour), got.ExpiresAt, "reading does not extend")
	require.Equal(t, start.Add(time.Minute), got.LastAccessed, "reading marks the access")
	got.Data["theme"] = "changed" // a copy: the session is unaffected

	clock.Advance(time.Minute)
	ok, err := e.UpdateSession("user-1", s.ID, map[string]string{"lang": "de", "cart": "3", "created_at": "forged"}, false)
	require.NoError(t, err)
	require.True(t, ok)
	got, found, err = e.GetSession("user-1", s.ID)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, map[string]string{"theme": "dark", "lang": "de", "cart": "3", "created_at": createdAt}, got.Data,
		"update merges; created_at stays the server's")
	require.Equal(t, start.Add(time.Hour), got.ExpiresAt, "no extend: same expiry")

	list, err := db.ListSessions()
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, got, list[0])

	ok, err = e.DeleteSession("user-1", s.ID)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = e.DeleteSession("user-1", s.ID)
	require.NoError(t, err)
	require.False(t, ok, "deleting twice")
	_, found, err = e.GetSession("user-1", s.ID)
	require.NoError(t, err)
	require.False(t, found)
	ok, err = e.UpdateSession("user-1", s.ID, map[string]string{"a": "b"}, true)
	require.NoError(t, err)
	require.False(t, ok)
	list, err = db.ListSessions()
	require.NoError(t, err)
	require.Empty(t, list)
	require.Zero(t, e.sessions.count.Load())
}

func TestSessionTTLAndExtend(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("ns")

	s, err := db.CreateSession("u", nil, 10*time.Second)
	require.NoError(t, err)
	other, err := db.CreateSession("u", nil, 10*time.Second)
	require.NoError(t, err)

	clock.Advance(6 * time.Second)
	ok, err := e.UpdateSession("u", s.ID, nil, true)
	require.NoError(t, err)
	require.True(t, ok)
	got, _, err := e.GetSession("u", s.ID)
	require.NoError(t, err)
	require.Equal(t, clock.Now().Add(10*time.Second), got.ExpiresAt, "extend restarts the session's own TTL")

	clock.Advance(4 * time.Second) // 10s after creation
	_, found, err := e.GetSession("u", other.ID)
	require.NoError(t, err)
	require.False(t, found, "the session that was not extended expired")
	_, found, err = e.GetSession("u", s.ID)
	require.NoError(t, err)
	require.True(t, found)

	clock.Advance(5999 * time.Millisecond)
	_, found, err = e.GetSession("u", s.ID)
	require.NoError(t, err)
	require.True(t, found, "1ms before the extended expiry")
	clock.Advance(time.Millisecond)
	_, found, err = e.GetSession("u", s.ID)
	require.NoError(t, err)
	require.False(t, found)
	ok, err = e.UpdateSession("u", s.ID, nil, true)
	require.NoError(t, err)
	require.False(t, ok, "an expired session cannot be revived")
}

func TestSessionDefaultTTLAndArguments(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	s, err := e.DB("ns").CreateSession("u", nil, 0)
	require.NoError(t, err)
	require.Equal(t, 24*time.Hour, s.TTL)
	require.Equal(t, clock.Now().Add(24*time.Hour), s.ExpiresAt)

	_, err = e.DB("ns").CreateSession("u", nil, -time.Second)
	require.ErrorIs(t, err, ErrInvalidArgument)

	e2 := coordEngine(t, clock, Options{DefaultSessionTTL: time.Minute})
	s, err = e2.DB("ns").CreateSession("u", nil, 0)
	require.NoError(t, err)
	require.Equal(t, clock.Now().Add(time.Minute), s.ExpiresAt)
}

func TestSessionIsolation(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{})
	orgA, orgB := e.DB("org-a/u1"), e.DB("org-b/u1")
	other := e.DB("org-a/u2")

	sa, err := orgA.CreateSession("u1", map[string]string{"k": "a"}, time.Hour)
	require.NoError(t, err)
	sb, err := orgB.CreateSession("u1", map[string]string{"k": "b"}, time.Hour)
	require.NoError(t, err)
	so, err := other.CreateSession("u2", map[string]string{"k": "o"}, time.Hour)
	require.NoError(t, err)

	// Another user never sees, changes or deletes the session.
	for _, id := range []string{sa.ID, sb.ID} {
		_, found, err := e.GetSession("u2", id)
		require.NoError(t, err)
		require.False(t, found)
		ok, err := e.UpdateSession("u2", id, map[string]string{"k": "x"}, true)
		require.NoError(t, err)
		require.False(t, ok)
		ok, err = e.DeleteSession("u2", id)
		require.NoError(t, err)
		require.False(t, ok)
	}
	_, found, err := e.GetSession("u1", so.ID)
	require.NoError(t, err)
	require.False(t, found)
	_, found, err = e.GetSession("", sa.ID)
	require.NoError(t, err)
	require.False(t, found)

	// The owner finds each by id alone, whatever its namespace.
	got, found, err := e.GetSession("u1", sa.ID)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "a", got.Data["k"])
	got, found, err = e.GetSession("u1", sb.ID)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "b", got.Data["k"])
	require.Equal(t, "org-b/u1", got.Namespace)

	// Listing is per namespace.
	for db, want := range map[*DB]string{orgA: sa.ID, orgB: sb.ID, other: so.ID} {
		list, err := db.ListSessions()
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, want, list[0].ID)
	}
	list, err := e.DB("org-c/u1").ListSessions()
	require.NoError(t, err)
	require.Empty(t, list)
}

func TestSessionIDsAreUnguessable(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{})
	db := e.DB("ns")
	const n = 100_000
	seen := make(map[string]struct{}, n)
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for i := 0; i < n; i++ {
		s, err := db.CreateSession("u", nil, time.Hour)
		require.NoError(t, err)
		if i < 100 {
			require.Regexp(t, hex32, s.ID, "128 bits, hex")
		}
		_, dup := seen[s.ID]
		require.False(t, dup, "id %s issued twice", s.ID)
		seen[s.ID] = struct{}{}
	}
	count, err := db.SessionCount()
	require.NoError(t, err)
	require.Equal(t, n, count)
}

func TestSessionExpiredAreReclaimed(t *testing.T) {
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	a, b := e.DB("a"), e.DB("b")
	for i := 0; i < 100; i++ {
		_, err := a.CreateSession("u", nil, time.Second)
		require.NoError(t, err)
		_, err = b.CreateSession("u", nil, time.Duration(i+1)*time.Second)
		require.NoError(t, err)
	}
	keep, err := a.CreateSession("u", nil, time.Hour)
	require.NoError(t, err)

	clock.Advance(time.Second)
	list, err := a.ListSessions()
	require.NoError(t, err)
	require.Len(t, list, 1, "expired sessions are never listed")
	require.Equal(t, keep.ID, list[0].ID)

	clock.Advance(49 * time.Second)
	require.Equal(t, 50, e.ReclaimExpired(), "b's sessions of 1s..50s (listing a does not touch b)")
	require.EqualValues(t, 1+50, e.sessions.count.Load())
	n, err := b.SessionCount()
	require.NoError(t, err)
	require.Equal(t, 50, n)
	b.sessions.mu.Lock()
	require.Len(t, b.sessions.m, 50, "the namespace index forgets them too")
	b.sessions.mu.Unlock()
	for i := range e.sessions.shards {
		sh := &e.sessions.shards[i]
		sh.mu.Lock()
		require.Equal(t, len(sh.m), sh.exp.Len())
		sh.mu.Unlock()
	}
}

func TestSessionConcurrentUse(t *testing.T) {
	e := coordEngine(t, nil, Options{})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := e.DB(fmt.Sprintf("ns-%d", g%2))
			user := fmt.Sprintf("u%d", g)
			for i := 0; i < 200; i++ {
				s, err := db.CreateSession(user, map[string]string{"i": "0"}, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				ok, _ := e.UpdateSession(user, s.ID, map[string]string{"i": "1"}, i%2 == 0)
				got, found, _ := e.GetSession(user, s.ID)
				if !ok || !found || got.Data["i"] != "1" {
					t.Errorf("session %s: update %v, found %v, data %v", s.ID, ok, found, got.Data)
					return
				}
				if i%20 == 0 {
					if _, err := db.ListSessions(); err != nil {
						t.Error(err)
						return
					}
				}
				if i%3 == 0 {
					if ok, _ := e.DeleteSession(user, s.ID); !ok {
						t.Errorf("delete %s failed", s.ID)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, name := range []string{"ns-0", "ns-1"} {
		n, err := e.DB(name).SessionCount()
		require.NoError(t, err)
		total += n
	}
	require.Equal(t, 8*(200-67), total)
}

func TestSessionClosedEngine(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{})
	db := e.DB("ns")
	s, err := db.CreateSession("u", nil, 0)
	require.NoError(t, err)
	require.NoError(t, e.Close())
	_, err = db.CreateSession("u", nil, 0)
	require.ErrorIs(t, err, ErrClosed)
	_, _, err = e.GetSession("u", s.ID)
	require.ErrorIs(t, err, ErrClosed)
	_, err = e.UpdateSession("u", s.ID, nil, false)
	require.ErrorIs(t, err, ErrClosed)
	_, err = e.DeleteSession("u", s.ID)
	require.ErrorIs(t, err, ErrClosed)
	_, err = db.ListSessions()
	require.ErrorIs(t, err, ErrClosed)
}
