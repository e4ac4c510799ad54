package engine

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/isa-cloud/isa-memstore/ttl"
)

// Lock is a held distributed lock.
type Lock struct {
	// Name is the lock's name in its namespace.
	Name string
	// Token proves ownership: ReleaseLock and RenewLock succeed only with
	// it. It is 128 random bits from crypto/rand, hex-encoded, so it cannot
	// be guessed by another client.
	Token string
	// Fence is a fencing token: it strictly increases with every successful
	// acquisition of the same name, across releases and expiries, so that a
	// storage system can reject writes from a holder whose lock expired
	// (it saw a larger fence since). Gaps between values are normal.
	Fence uint64
	// ExpiresAt is when the lock is free again unless renewed
	// (millisecond precision, as every engine deadline).
	ExpiresAt time.Time
}

// lockShards splits a namespace's lock table so that unrelated locks taken
// in parallel rarely share a mutex.
const lockShards = 16

// lockTable is one namespace's locks. Locks have a namespace of their own:
// a lock named "x" has nothing to do with the key "x".
//
// Memory: a name has state only while it is held or waited for; a free name
// costs nothing. Locks that expire without being released are reclaimed by
// the engine's background worker through a per-shard deadline index, or on
// the next access to the name. The fence counter is per shard, not per
// name, so it needs no memory per name and survives reclamation: a name
// always maps to the same shard, and the shard's counter only grows, so each
// name's fences strictly increase.
type lockTable struct {
	db     *DB
	shards [lockShards]lockShard
	// leases counts held locks (entries of the shards' indexes), so that
	// the background worker skips tables with nothing to reclaim without
	// taking any lock.
	leases atomic.Int64
	// onQueue, when set (tests only), is called under the shard lock each
	// time a caller starts waiting for name.
	onQueue func(name string)
}

type lockShard struct {
	mu     sync.Mutex
	m      map[string]*lockState
	exp    *ttl.Index // deadlines of held locks, for reclamation
	fence  uint64
	closed bool
	_      [40]byte // keep neighbouring shards' mutexes off one cache line
}

// lockState is a name that is held or waited for. Invariant (under the
// shard lock, after settle): a lock that is not held has no waiters,
// because a release or an expiry hands it straight to the first waiter.
// That direct handoff is what makes waiting FIFO: a newcomer can never
// take a lock between a release and the wake-up of the waiter at the head.
type lockState struct {
	name     string
	held     bool
	token    string
	fence    uint64
	deadline int64 // Unix ms
	// waiters, oldest first.
	head, tail *lockWaiter
	// timer wakes the queue when the holder's lease ends; armed only while
	// the lock is held and has waiters. timerGen invalidates a timer that
	// fires after it was replaced.
	timer    ttl.Timer
	timerGen uint64
}

// lockWaiter is one caller blocked in AcquireLock.
type lockWaiter struct {
	token      string
	ttl        int64 // ms, the lease it asked for
	prev, next *lockWaiter
	// ready is closed exactly once, when done becomes true: the lock was
	// handed over (lock set), the wait timed out (lock zero) or the engine
	// closed (err set).
	ready chan struct{}
	done  bool
	lock  Lock
	err   error
	timer ttl.Timer // the wait timeout
}

type lockTableRef struct{ p atomic.Pointer[lockTable] }

// lockTable returns the namespace's lock table, creating it on first use so
// that namespaces that never lock pay nothing.
func (db *DB) lockTable() *lockTable {
	if lt := db.locks.p.Load(); lt != nil {
		return lt
	}
	db.locks.p.CompareAndSwap(nil, &lockTable{db: db})
	return db.locks.p.Load()
}

func (lt *lockTable) shard(name string) *lockShard {
	return &lt.shards[xxhash.Sum64String(name)&(lockShards-1)]
}

// newToken returns 128 random bits, hex-encoded.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it aborts instead)
	return hex.EncodeToString(b[:])
}

func tokenEqual(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func (db *DB) lockTTL(ttl time.Duration, what string) (int64, error) {
	switch {
	case ttl < 0:
		return 0, invalidArg("ERR invalid " + what + " ttl: must not be negative")
	case ttl == 0:
		ttl = db.e.opts.DefaultLockTTL
	}
	return ttlMillis(ttl), nil
}

// AcquireLock takes the lock called name for ttl (0: Options.DefaultLockTTL)
// and reports whether it got it. When the lock is held and wait > 0, the
// caller waits, in FIFO order with other waiters, until the lock is
// released or expires (it is woken by that event, not by polling), until
// wait has passed on the engine's clock (then it returns false), or until
// ctx is done (then it returns ctx.Err()). With wait == 0 it never blocks.
// A negative ttl or wait is ErrInvalidArgument.
func (db *DB) AcquireLock(ctx context.Context, name string, ttl, wait time.Duration) (Lock, bool, error) {
	if err := ctx.Err(); err != nil {
		return Lock{}, false, err
	}
	if wait < 0 {
		return Lock{}, false, invalidArg("ERR invalid lock wait timeout: must not be negative")
	}
	ms, err := db.lockTTL(ttl, "lock")
	if err != nil {
		return Lock{}, false, err
	}
	if db.e.closed.Load() {
		return Lock{}, false, ErrClosed
	}
	db.coordCommands.Add(1)
	token := newToken() // outside the shard lock: it is the slow part
	lt := db.lockTable()
	sh := lt.shard(name)

	sh.mu.Lock()
	if sh.closed {
		sh.mu.Unlock()
		return Lock{}, false, ErrClosed
	}
	now := db.e.now()
	st := sh.settle(lt, sh.m[name], now)
	if st == nil {
		st = &lockState{name: name}
		if sh.m == nil {
			sh.m = make(map[string]*lockState)
		}
		sh.m[name] = st
	}
	if !st.held {
		l := sh.grant(lt, st, token, ms, now)
		sh.mu.Unlock()
		return l, true, nil
	}
	if wait == 0 {
		sh.mu.Unlock()
		return Lock{}, false, nil
	}
	w := &lockWaiter{token: token, ttl: ms, ready: make(chan struct{})}
	st.push(w)
	if st.head == w {
		lt.armExpiry(st) // first waiter: someone must now watch the lease
	}
	w.timer = db.e.clock.AfterFunc(wait, func() { lt.giveUp(sh, st, w) })
	if lt.onQueue != nil {
		lt.onQueue(name)
	}
	sh.mu.Unlock()

	select {
	case <-w.ready:
	case <-ctx.Done():
		sh.mu.Lock()
		if !w.done {
			w.done = true
			w.timer.Stop()
			lt.leave(sh, st, w)
			sh.mu.Unlock()
			return Lock{}, false, ctx.Err()
		}
		if w.err == nil && w.lock.Token != "" {
			// Handed over while the caller was giving up: pass it on
			// rather than leave it held until it expires.
			now := db.e.now()
			if cur := sh.settle(lt, sh.m[name], now); cur == st && st.held && st.token == w.lock.Token {
				sh.release(lt, st, now)
			}
			sh.mu.Unlock()
			return Lock{}, false, ctx.Err()
		}
		sh.mu.Unlock()
	}
	if w.err != nil {
		return Lock{}, false, w.err
	}
	return w.lock, w.lock.Token != "", nil
}

// ReleaseLock frees the lock if token is its current token and it has not
// expired, handing it to the longest waiter if any, and reports whether it
// did.
func (db *DB) ReleaseLock(name, token string) (bool, error) {
	if db.e.closed.Load() {
		return false, ErrClosed
	}
	db.coordCommands.Add(1)
	lt := db.lockTable()
	sh := lt.shard(name)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.closed {
		return false, ErrClosed
	}
	now := db.e.now()
	st := sh.settle(lt, sh.m[name], now)
	if st == nil || !st.held || !tokenEqual(st.token, token) {
		return false, nil
	}
	sh.release(lt, st, now)
	return true, nil
}

// RenewLock extends the lock to ttl from now (0: Options.DefaultLockTTL) if
// token is its current token and it has not expired, and returns the lock
// with its new expiry.
func (db *DB) RenewLock(name, token string, ttl time.Duration) (Lock, bool, error) {
	ms, err := db.lockTTL(ttl, "lock")
	if err != nil {
		return Lock{}, false, err
	}
	if db.e.closed.Load() {
		return Lock{}, false, ErrClosed
	}
	db.coordCommands.Add(1)
	lt := db.lockTable()
	sh := lt.shard(name)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.closed {
		return Lock{}, false, ErrClosed
	}
	now := db.e.now()
	st := sh.settle(lt, sh.m[name], now)
	if st == nil || !st.held || !tokenEqual(st.token, token) {
		return Lock{}, false, nil
	}
	sh.exp.Remove(st.name, st.deadline)
	st.deadline = now + ms
	sh.exp.Add(st.name, st.deadline)
	if st.head != nil {
		lt.armExpiry(st)
	}
	return st.lockValue(), true, nil
}

func (st *lockState) lockValue() Lock {
	return Lock{Name: st.name, Token: st.token, Fence: st.fence, ExpiresAt: unixMs(st.deadline)}
}

// grant makes st held by token for ms from now. Caller holds sh.mu.
func (sh *lockShard) grant(lt *lockTable, st *lockState, token string, ms, now int64) Lock {
	sh.fence++
	st.held, st.token, st.fence, st.deadline = true, token, sh.fence, now+ms
	if sh.exp == nil {
		sh.exp = ttl.NewIndex()
	}
	sh.exp.Add(st.name, st.deadline)
	lt.leases.Add(1)
	return st.lockValue()
}

// endLease marks st free and takes it out of the deadline index. Caller
// holds sh.mu.
func (sh *lockShard) endLease(lt *lockTable, st *lockState, inIndex bool) {
	if inIndex {
		sh.exp.Remove(st.name, st.deadline)
	}
	st.held = false
	lt.leases.Add(-1)
}

// settle brings st up to date at now: an expired lease ends, and a lock
// that is not held goes to its first waiter or, with none, is forgotten
// (st == nil is returned). Caller holds sh.mu.
func (sh *lockShard) settle(lt *lockTable, st *lockState, now int64) *lockState {
	if st == nil {
		return nil
	}
	if st.held && st.deadline <= now {
		sh.endLease(lt, st, true)
	}
	if st.held {
		return st
	}
	if st.head != nil {
		sh.handOff(lt, st, now)
		return st
	}
	sh.forget(st)
	return nil
}

// release ends the current lease and hands the lock on. Caller holds sh.mu.
func (sh *lockShard) release(lt *lockTable, st *lockState, now int64) {
	sh.endLease(lt, st, true)
	sh.settle(lt, st, now)
}

// handOff gives the free lock st to its first waiter and wakes it.
func (sh *lockShard) handOff(lt *lockTable, st *lockState, now int64) {
	w := st.head
	st.unlink(w)
	w.timer.Stop()
	w.lock = sh.grant(lt, st, w.token, w.ttl, now)
	w.done = true
	close(w.ready)
	lt.armExpiry(st)
}

// forget drops the state of a free name with no waiters.
func (sh *lockShard) forget(st *lockState) {
	if st.timer != nil {
		st.timer.Stop()
		st.timer = nil
	}
	if sh.m[st.name] == st {
		delete(sh.m, st.name)
	}
}

// armExpiry (re)arms the timer that ends st's lease for its waiters, or
// disarms it when nobody waits. Caller holds the shard lock.
func (lt *lockTable) armExpiry(st *lockState) {
	if st.timer != nil {
		st.timer.Stop()
		st.timer = nil
	}
	st.timerGen++
	if !st.held || st.head == nil {
		return
	}
	gen := st.timerGen
	clock := lt.db.e.clock
	d := unixMs(st.deadline).Sub(clock.Now())
	st.timer = clock.AfterFunc(d, func() { lt.leaseEnded(st, gen) })
}

// leaseEnded runs when the holder's lease of st should be over: it hands
// the lock to the first waiter.
func (lt *lockTable) leaseEnded(st *lockState, gen uint64) {
	sh := lt.shard(st.name)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.closed || sh.m[st.name] != st || st.timerGen != gen {
		return // replaced, renewed or handed over meanwhile
	}
	st.timer = nil
	if sh.settle(lt, st, lt.db.e.now()) == st && st.held && st.timer == nil {
		// A real timer can fire a hair before the clock's reading reaches
		// the deadline: look again then.
		lt.armExpiry(st)
	}
}

// giveUp is a waiter's timeout: it leaves the queue without the lock.
func (lt *lockTable) giveUp(sh *lockShard, st *lockState, w *lockWaiter) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if w.done {
		return
	}
	w.done = true
	close(w.ready)
	lt.leave(sh, st, w)
}

// leave takes a waiter that gave up out of st's queue. Caller holds sh.mu.
func (lt *lockTable) leave(sh *lockShard, st *lockState, w *lockWaiter) {
	st.unlink(w)
	if st.head == nil {
		lt.armExpiry(st) // nobody waits any more: disarm
		if !st.held {
			sh.forget(st)
		}
	}
}

func (st *lockState) push(w *lockWaiter) {
	w.prev = st.tail
	if st.tail != nil {
		st.tail.next = w
	} else {
		st.head = w
	}
	st.tail = w
}

func (st *lockState) unlink(w *lockWaiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		st.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		st.tail = w.prev
	}
	w.prev, w.next = nil, nil
}

// reclaimLocks forgets locks whose lease ended without a release (handing
// them to a waiter if there is one) and returns how many it processed, at
// most max per shard (max <= 0: all).
func (db *DB) reclaimLocks(now int64, max int) int {
	lt := db.locks.p.Load()
	if lt == nil || lt.leases.Load() == 0 {
		return 0
	}
	n := 0
	for i := range lt.shards {
		sh := &lt.shards[i]
		sh.mu.Lock()
		if sh.exp != nil && !sh.closed {
			n += sh.exp.PopDue(now, max, func(name string, _ int64) {
				if st := sh.m[name]; st != nil {
					sh.endLease(lt, st, false) // PopDue took it out of the index
					sh.settle(lt, st, now)
				}
			})
		}
		sh.mu.Unlock()
	}
	return n
}

// closeLocks fails every waiter with ErrClosed and drops all lock state.
func (db *DB) closeLocks() {
	lt := db.lockTable()
	for i := range lt.shards {
		sh := &lt.shards[i]
		sh.mu.Lock()
		sh.closed = true
		for _, st := range sh.m {
			if st.timer != nil {
				st.timer.Stop()
			}
			for w := st.head; w != nil; w = w.next {
				w.timer.Stop()
				w.done, w.err = true, ErrClosed
				close(w.ready)
			}
		}
		if sh.exp != nil {
			lt.leases.Add(-int64(sh.exp.Len()))
		}
		sh.m = nil
		sh.exp = nil
		sh.mu.Unlock()
	}
}

// lockCount is the number of names with state (held or waited for), for
// tests of memory reclamation.
func (db *DB) lockCount() int {
	lt := db.lockTable()
	n := 0
	for i := range lt.shards {
		sh := &lt.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// unixMs turns an engine time (Unix ms) into a UTC time.Time, the form the
// engine hands out.
func unixMs(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
