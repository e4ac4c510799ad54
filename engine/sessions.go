package engine

import (
	"maps"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/isa-cloud/isa-memstore/ttl"
)

// SessionCreatedAtKey is the data entry the engine sets on every session:
// its creation time in RFC 3339, which existing clients read from the data
// map. It is server-owned: updates cannot change it.
const SessionCreatedAtKey = "created_at"

// Session is a snapshot of a session.
type Session struct {
	// ID is 128 random bits from crypto/rand, hex-encoded.
	ID string
	// User is the user the session belongs to; only that user finds it.
	User string
	// Namespace is the name of the DB it was created in.
	Namespace string
	// Data is a copy of the session's data, including SessionCreatedAtKey.
	Data map[string]string
	// CreatedAt, ExpiresAt and LastAccessed have millisecond precision.
	CreatedAt    time.Time
	ExpiresAt    time.Time
	LastAccessed time.Time
	// TTL is the session's own lifetime, which UpdateSession with extend
	// restarts.
	TTL time.Duration
}

// Sessions are stored twice over: by id in the engine-wide sessionTable
// (GetSession, UpdateSession and DeleteSession carry only a user and an
// id, no namespace) and by namespace in dbSessions (ListSessions must cost
// what the namespace holds, not what the engine holds). The session table
// is the source of truth and its shard lock guards a session's fields; a
// dbSessions lock is only ever taken inside a shard lock, or alone, never
// the other way round.
type sessionTable struct {
	shards [sessionShards]sessionShard
	count  atomic.Int64
}

// sessionShards keeps concurrent session calls on different ids from
// sharing one mutex.
const sessionShards = 16

type sessionShard struct {
	mu  sync.Mutex
	m   map[string]*session
	exp *ttl.Index // deadlines, for reclamation in expiry order
	_   [48]byte
}

type session struct {
	id, user string
	db       *DB
	data     map[string]string
	// Unix ms.
	created, accessed, deadline int64
	ttl                         int64 // ms
}

// dbSessions is a namespace's sessions by id.
type dbSessions struct {
	mu sync.Mutex
	m  map[string]*session
}

func (t *sessionTable) init() {
	for i := range t.shards {
		t.shards[i].m = make(map[string]*session)
		t.shards[i].exp = ttl.NewIndex()
	}
}

func (t *sessionTable) shard(id string) *sessionShard {
	return &t.shards[xxhash.Sum64String(id)&(sessionShards-1)]
}

func (s *session) snapshot() Session {
	return Session{
		ID:           s.id,
		User:         s.user,
		Namespace:    s.db.name,
		Data:         maps.Clone(s.data),
		CreatedAt:    unixMs(s.created),
		ExpiresAt:    unixMs(s.deadline),
		LastAccessed: unixMs(s.accessed),
		TTL:          time.Duration(s.ttl) * time.Millisecond,
	}
}

// CreateSession starts a session for user in this namespace with a copy of
// data and a lifetime of ttl (0: Options.DefaultSessionTTL; negative is
// ErrInvalidArgument), and returns it.
func (db *DB) CreateSession(user string, data map[string]string, ttl time.Duration) (Session, error) {
	if ttl < 0 {
		return Session{}, invalidArg("ERR invalid session ttl: must not be negative")
	}
	if ttl == 0 {
		ttl = db.e.opts.DefaultSessionTTL
	}
	now, err := db.begin()
	if err != nil {
		return Session{}, err
	}
	db.coordCommands.Add(1)
	s := &session{user: user, db: db, data: make(map[string]string, len(data)+1), ttl: ttlMillis(ttl)}
	maps.Copy(s.data, data)
	s.created, s.accessed, s.deadline = now, now, now+s.ttl
	s.data[SessionCreatedAtKey] = unixMs(now).Format(time.RFC3339)

	t := &db.e.sessions
	for {
		s.id = newToken()
		sh := t.shard(s.id)
		sh.mu.Lock()
		if _, taken := sh.m[s.id]; taken {
			// 2^-128 per pair: never in practice, but an id must never
			// name two sessions.
			sh.mu.Unlock()
			continue
		}
		sh.m[s.id] = s
		sh.exp.Add(s.id, s.deadline)
		db.sessions.mu.Lock()
		if db.sessions.m == nil {
			db.sessions.m = make(map[string]*session)
		}
		db.sessions.m[s.id] = s
		db.sessions.mu.Unlock()
		snap := s.snapshot()
		sh.mu.Unlock()
		t.count.Add(1)
		return snap, nil
	}
}

// remove deletes s from both indexes. Caller holds sh.mu, s's shard.
func (t *sessionTable) remove(sh *sessionShard, s *session, inIndex bool) {
	delete(sh.m, s.id)
	if inIndex {
		sh.exp.Remove(s.id, s.deadline)
	}
	s.db.sessions.mu.Lock()
	delete(s.db.sessions.m, s.id)
	s.db.sessions.mu.Unlock()
	t.count.Add(-1)
}

// lookup returns the live session id of user, reclaiming it if it has
// expired. Caller holds sh.mu.
func (t *sessionTable) lookup(sh *sessionShard, user, id string, now int64) *session {
	s := sh.m[id]
	if s == nil {
		return nil
	}
	if s.deadline <= now {
		t.remove(sh, s, true)
		return nil
	}
	if s.user != user {
		return nil // another user's session does not exist for this one
	}
	return s
}

// withSession runs fn on user's session id under its shard lock.
func (e *Engine) withSession(user, id string, fn func(sh *sessionShard, s *session, now int64)) (bool, error) {
	if e.closed.Load() {
		return false, ErrClosed
	}
	t := &e.sessions
	sh := t.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	now := e.now()
	s := t.lookup(sh, user, id, now)
	if s == nil {
		return false, nil
	}
	s.db.coordCommands.Add(1)
	fn(sh, s, now)
	return true, nil
}

// GetSession returns user's session id and marks it accessed. A session of
// another user, or an expired one, is not found.
func (e *Engine) GetSession(user, id string) (snap Session, found bool, err error) {
	found, err = e.withSession(user, id, func(_ *sessionShard, s *session, now int64) {
		s.accessed = now
		snap = s.snapshot()
	})
	return snap, found, err
}

// UpdateSession merges data into user's session id (SessionCreatedAtKey
// stays the server's) and, with extendTTL, restarts the session's own TTL
// from now. It reports whether the session existed.
func (e *Engine) UpdateSession(user, id string, data map[string]string, extendTTL bool) (bool, error) {
	return e.withSession(user, id, func(sh *sessionShard, s *session, now int64) {
		for k, v := range data {
			if k != SessionCreatedAtKey {
				s.data[k] = v
			}
		}
		s.accessed = now
		if extendTTL {
			sh.exp.Remove(s.id, s.deadline)
			s.deadline = now + s.ttl
			sh.exp.Add(s.id, s.deadline)
		}
	})
}

// DeleteSession ends user's session id and reports whether it existed.
func (e *Engine) DeleteSession(user, id string) (bool, error) {
	return e.withSession(user, id, func(sh *sessionShard, s *session, _ int64) {
		e.sessions.remove(sh, s, true)
	})
}

// ListSessions returns the namespace's live sessions, oldest first. Its
// cost is proportional to the namespace's sessions.
func (db *DB) ListSessions() ([]Session, error) {
	now, err := db.begin()
	if err != nil {
		return nil, err
	}
	db.coordCommands.Add(1)
	db.sessions.mu.Lock()
	all := make([]*session, 0, len(db.sessions.m))
	for _, s := range db.sessions.m {
		all = append(all, s)
	}
	db.sessions.mu.Unlock()

	t := &db.e.sessions
	out := make([]Session, 0, len(all))
	for _, s := range all {
		sh := t.shard(s.id)
		sh.mu.Lock()
		switch {
		case sh.m[s.id] != s:
			// deleted since the listing
		case s.deadline <= now:
			t.remove(sh, s, true)
		default:
			out = append(out, s.snapshot())
		}
		sh.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// SessionCount is the number of sessions in the namespace, expired ones
// excluded.
func (db *DB) SessionCount() (int, error) {
	now, err := db.begin()
	if err != nil {
		return 0, err
	}
	db.e.sessions.reclaim(now, 0)
	db.sessions.mu.Lock()
	defer db.sessions.mu.Unlock()
	return len(db.sessions.m), nil
}

// reclaim deletes sessions whose deadline is <= now, at most max per shard
// (max <= 0: all), and returns how many.
func (t *sessionTable) reclaim(now int64, max int) int {
	if t.count.Load() == 0 {
		return 0
	}
	n := 0
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		n += sh.exp.PopDue(now, max, func(id string, _ int64) {
			if s := sh.m[id]; s != nil {
				t.remove(sh, s, false)
			}
		})
		sh.mu.Unlock()
	}
	return n
}
