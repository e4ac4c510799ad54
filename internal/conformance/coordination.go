package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func (s *suite) acquire(t *testing.T, tn tenant, key string, ttl, wait time.Duration) *pb.AcquireLockResponse {
	t.Helper()
	req := &pb.AcquireLockRequest{UserId: tn.User, OrganizationId: tn.Org, LockKey: key, Ttl: durationpb.New(ttl)}
	if wait > 0 {
		req.WaitTimeout = durationpb.New(wait)
	}
	r, err := s.c.AcquireLock(ctx(t), req)
	must(t, "AcquireLock", err)
	return r
}

func (s *suite) release(t *testing.T, tn tenant, key, id string) bool {
	t.Helper()
	r, err := s.c.ReleaseLock(ctx(t), &pb.ReleaseLockRequest{UserId: tn.User, OrganizationId: tn.Org, LockKey: key, LockId: id})
	must(t, "ReleaseLock", err)
	return r.Released
}

var lockCases = map[string]func(*testing.T, *suite){
	"AcquireRenewRelease": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		a := s.acquire(t, tn, "job", 10*time.Second, 0)
		require.True(t, a.Acquired)
		assert.GreaterOrEqual(t, len(a.LockId), 22, "an unguessable token (>= 128 bits)")
		require.NotNil(t, a.ExpiresAt)
		assert.WithinDuration(t, time.Now().Add(10*time.Second), a.ExpiresAt.AsTime(), 5*time.Second)

		held := s.acquire(t, tn, "job", 10*time.Second, 0)
		assert.False(t, held.Acquired, "held by another owner")

		rn, err := s.c.RenewLock(ctx(t), &pb.RenewLockRequest{UserId: tn.User, OrganizationId: tn.Org, LockKey: "job", LockId: a.LockId, Ttl: durationpb.New(time.Minute)})
		must(t, "RenewLock", err)
		assert.True(t, rn.Renewed)
		require.NotNil(t, rn.ExpiresAt)
		assert.WithinDuration(t, time.Now().Add(time.Minute), rn.ExpiresAt.AsTime(), 5*time.Second)
		rn, err = s.c.RenewLock(ctx(t), &pb.RenewLockRequest{UserId: tn.User, OrganizationId: tn.Org, LockKey: "job", LockId: "not-the-owner", Ttl: durationpb.New(time.Minute)})
		must(t, "RenewLock", err)
		assert.False(t, rn.Renewed, "only the owner renews")

		assert.False(t, s.release(t, tn, "job", "not-the-owner"), "only the owner releases")
		assert.True(t, s.release(t, tn, "job", a.LockId))
		assert.False(t, s.release(t, tn, "job", a.LockId), "already released")

		again := s.acquire(t, tn, "job", 10*time.Second, 0)
		assert.True(t, again.Acquired, "free again after the release")
		assert.NotEqual(t, a.LockId, again.LockId)
	},
	"WaitIsWokenByRelease": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		a := s.acquire(t, tn, "w", time.Minute, 0)
		require.True(t, a.Acquired)
		got := make(chan *pb.AcquireLockResponse, 1)
		go func() {
			r, err := s.c.AcquireLock(ctx(t), &pb.AcquireLockRequest{UserId: tn.User, OrganizationId: tn.Org, LockKey: "w", Ttl: durationpb.New(time.Minute), WaitTimeout: durationpb.New(20 * time.Second)})
			if err != nil {
				t.Errorf("waiting AcquireLock: %v", err)
				close(got)
				return
			}
			got <- r
		}()
		// Whether the waiter is already waiting or arrives after the
		// release, it must get the lock long before its 20 s timeout and
		// the holder's 1 min TTL.
		start := time.Now()
		require.True(t, s.release(t, tn, "w", a.LockId))
		r, ok := <-got
		require.True(t, ok)
		assert.True(t, r.Acquired)
		assert.Less(t, time.Since(start), 10*time.Second, "woken by the release")
	},
	"WaitTimesOut": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		require.True(t, s.acquire(t, tn, "busy", time.Minute, 0).Acquired)
		start := time.Now()
		r := s.acquire(t, tn, "busy", time.Minute, 300*time.Millisecond)
		assert.False(t, r.Acquired)
		assert.GreaterOrEqual(t, time.Since(start), 250*time.Millisecond, "waited for the timeout")
	},
	"DefaultTTLIsFinite": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		r, err := s.c.AcquireLock(ctx(t), &pb.AcquireLockRequest{UserId: tn.User, OrganizationId: tn.Org, LockKey: "d"})
		must(t, "AcquireLock", err)
		require.True(t, r.Acquired)
		require.NotNil(t, r.ExpiresAt, "a lock never lives forever")
		assert.True(t, r.ExpiresAt.AsTime().After(time.Now()))
		assert.True(t, r.ExpiresAt.AsTime().Before(time.Now().Add(24*time.Hour)))
	},
	"LocksDoNotCollideWithKeys": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		s.set(t, tn, "x", "value")
		a := s.acquire(t, tn, "x", 10*time.Second, 0)
		assert.True(t, a.Acquired)
		v, found := s.get(t, tn, "x")
		assert.True(t, found)
		assert.Equal(t, "value", v)
	},
}

var sessionCases = map[string]func(*testing.T, *suite){
	"Lifecycle": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		c := ctx(t)
		cr, err := s.c.CreateSession(c, &pb.CreateSessionRequest{UserId: tn.User, OrganizationId: tn.Org, Data: map[string]string{"a": "1"}, Ttl: durationpb.New(time.Hour)})
		must(t, "CreateSession", err)
		require.NotEmpty(t, cr.SessionId)
		assert.GreaterOrEqual(t, len(cr.SessionId), 22, "an unguessable id (>= 128 bits)")
		require.NotNil(t, cr.ExpiresAt)
		assert.WithinDuration(t, time.Now().Add(time.Hour), cr.ExpiresAt.AsTime(), time.Minute)

		g, err := s.c.GetSession(c, &pb.GetSessionRequest{UserId: tn.User, SessionId: cr.SessionId})
		must(t, "GetSession", err)
		require.True(t, g.Found)
		assert.Equal(t, cr.SessionId, g.Session.SessionId)
		assert.Equal(t, tn.User, g.Session.UserId)
		assert.Equal(t, "1", g.Session.Data["a"])
		require.Contains(t, g.Session.Data, "created_at", "existing clients read it")
		_, err = time.Parse(time.RFC3339, g.Session.Data["created_at"])
		assert.NoError(t, err, "created_at is RFC 3339")
		assert.NotNil(t, g.Session.CreatedAt)
		assert.NotNil(t, g.Session.ExpiresAt)
		assert.NotNil(t, g.Session.LastAccessed)

		u, err := s.c.UpdateSession(c, &pb.UpdateSessionRequest{UserId: tn.User, SessionId: cr.SessionId, Data: map[string]string{"b": "2"}})
		must(t, "UpdateSession", err)
		assert.True(t, u.Success)
		g, err = s.c.GetSession(c, &pb.GetSessionRequest{UserId: tn.User, SessionId: cr.SessionId})
		must(t, "GetSession", err)
		assert.Equal(t, "1", g.Session.Data["a"], "UpdateSession merges")
		assert.Equal(t, "2", g.Session.Data["b"])

		l, err := s.c.ListSessions(c, &pb.ListSessionsRequest{UserId: tn.User, OrganizationId: tn.Org})
		must(t, "ListSessions", err)
		require.Len(t, l.Sessions, 1)
		assert.Equal(t, cr.SessionId, l.Sessions[0].SessionId)

		d, err := s.c.DeleteSession(c, &pb.DeleteSessionRequest{UserId: tn.User, SessionId: cr.SessionId})
		must(t, "DeleteSession", err)
		assert.True(t, d.Success)
		d, err = s.c.DeleteSession(c, &pb.DeleteSessionRequest{UserId: tn.User, SessionId: cr.SessionId})
		must(t, "DeleteSession", err)
		assert.False(t, d.Success, "only if it existed")
		g, err = s.c.GetSession(c, &pb.GetSessionRequest{UserId: tn.User, SessionId: cr.SessionId})
		must(t, "GetSession", err)
		assert.False(t, g.Found)
	},
	"DefaultTTLIs24h": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		cr, err := s.c.CreateSession(ctx(t), &pb.CreateSessionRequest{UserId: tn.User, OrganizationId: tn.Org})
		must(t, "CreateSession", err)
		require.NotNil(t, cr.ExpiresAt)
		assert.WithinDuration(t, time.Now().Add(24*time.Hour), cr.ExpiresAt.AsTime(), time.Minute)
	},
	"ExtendTTL": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		c := ctx(t)
		cr, err := s.c.CreateSession(c, &pb.CreateSessionRequest{UserId: tn.User, OrganizationId: tn.Org, Ttl: durationpb.New(time.Hour)})
		must(t, "CreateSession", err)
		u, err := s.c.UpdateSession(c, &pb.UpdateSessionRequest{UserId: tn.User, SessionId: cr.SessionId, ExtendTtl: true})
		must(t, "UpdateSession", err)
		assert.True(t, u.Success)
		g, err := s.c.GetSession(c, &pb.GetSessionRequest{UserId: tn.User, SessionId: cr.SessionId})
		must(t, "GetSession", err)
		require.True(t, g.Found)
		assert.WithinDuration(t, time.Now().Add(time.Hour), g.Session.ExpiresAt.AsTime(), time.Minute, "its own TTL restarted, not the default")
	},
}

var batchCases = map[string]func(*testing.T, *suite){
	"ExistingClientBatches": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		c := ctx(t)
		r, err := s.c.ExecuteBatch(c, &pb.RedisBatchRequest{UserId: tn.User, OrganizationId: tn.Org, Commands: []*pb.BatchCommand{
			{Operation: "SET", Key: "a", Value: "1"},
			{Operation: "SET", Key: "b", Value: "2", Expiration: durationpb.New(300 * time.Second)},
			{Operation: "GET", Key: "a"},
		}})
		must(t, "ExecuteBatch", err)
		assert.True(t, r.Success, "errors: %v", r.Errors)
		assert.Equal(t, int32(3), r.ExecutedCount)
		assert.Empty(t, r.Errors)
		ttl := s.ttl(t, tn, "b")
		assert.True(t, ttl > 290 && ttl <= 300, "ttl %d", ttl)

		var mset []*pb.BatchCommand
		for _, k := range []string{"m1", "m2", "m3", "m4"} {
			mset = append(mset, &pb.BatchCommand{Operation: "set", Key: k, Value: k})
		}
		r, err = s.c.ExecuteBatch(c, &pb.RedisBatchRequest{UserId: tn.User, OrganizationId: tn.Org, Commands: mset})
		must(t, "ExecuteBatch", err)
		assert.True(t, r.Success)
		assert.Equal(t, int32(len(mset)), r.ExecutedCount)
		v, _ := s.get(t, tn, "m3")
		assert.Equal(t, "m3", v, "operation is case-insensitive")
	},
	"Operations": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		s.set(t, tn, "gone", "x")
		r, err := s.c.ExecuteBatch(ctx(t), &pb.RedisBatchRequest{UserId: tn.User, OrganizationId: tn.Org, Commands: []*pb.BatchCommand{
			{Operation: "INCR", Key: "n"},
			{Operation: "INCR", Key: "n"},
			{Operation: "DECR", Key: "n"},
			{Operation: "APPEND", Key: "s", Value: "ab"},
			{Operation: "DEL", Key: "gone"},
			{Operation: "GET", Key: "missing"},
			{Operation: "EXPIRE", Key: "s", Expiration: durationpb.New(time.Hour)},
		}})
		must(t, "ExecuteBatch", err)
		assert.True(t, r.Success, "errors: %v", r.Errors)
		assert.Equal(t, int32(7), r.ExecutedCount, "a GET of a missing key is not an error")
		v, _ := s.get(t, tn, "n")
		assert.Equal(t, "1", v)
		v, _ = s.get(t, tn, "s")
		assert.Equal(t, "ab", v)
		assert.False(t, s.exists(t, tn, "gone"))
		assert.Positive(t, s.ttl(t, tn, "s"))
	},
	"Errors": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		s.set(t, tn, "text", "abc")
		r, err := s.c.ExecuteBatch(ctx(t), &pb.RedisBatchRequest{UserId: tn.User, OrganizationId: tn.Org, Commands: []*pb.BatchCommand{
			{Operation: "SET", Key: "ok", Value: "1"},
			{Operation: "FROB", Key: "x"},
			{Operation: "INCR", Key: "text"},
			{Operation: "SET", Key: "after", Value: "2"},
		}})
		must(t, "ExecuteBatch", err)
		assert.False(t, r.Success)
		assert.Equal(t, int32(2), r.ExecutedCount, "the commands that succeeded")
		require.Len(t, r.Errors, 2)
		assert.Contains(t, r.Errors[0], "unknown operation: FROB")
		assert.Contains(t, r.Errors[1], "INCR failed for text: ERR value is not an integer or out of range")
		_, found := s.get(t, tn, "after")
		assert.True(t, found, "later commands still run (MULTI/EXEC)")
	},
}
