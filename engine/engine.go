// Package engine is the embeddable isa-memstore database: Redis semantics
// over the sharded store, with namespaces, expiry, locks, sessions, pub/sub
// and statistics. It is the only package an embedder needs:
//
//	e, err := engine.Open(engine.Options{})
//	defer e.Close()
//	db := e.DB("tenant-a")
//	db.Set("greeting", "hello", engine.SetOptions{TTL: time.Minute})
//
// Every method is safe for concurrent use. Nothing here imports gRPC or
// protobuf: the network edges live in other packages.
package engine

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/isa-cloud/isa-memstore/pubsub"
	"github.com/isa-cloud/isa-memstore/store"
	"github.com/isa-cloud/isa-memstore/ttl"
)

// Options configure an Engine. The zero value is a sensible default.
type Options struct {
	// Clock is the source of time; nil means the system clock. Tests pass a
	// *ttl.Manual and advance it instead of sleeping.
	Clock ttl.Clock
	// Shards per namespace; 0 means store.DefaultShards().
	Shards int
	// MaxMemory, when > 0, is the approximate number of bytes of data above
	// which writes fail with ErrOOM (Redis's noeviction policy). Reads and
	// deletes keep working.
	MaxMemory int64
	// ExpiryInterval is how often the background worker reclaims expired
	// keys; 0 means 10ms, which keeps the lag between a deadline and the
	// memory being returned well under 100ms.
	ExpiryInterval time.Duration
	// ExpiryCPUFraction caps the share of one core the worker may use per
	// interval (0 means 0.25, as Redis's active expire cycle budget).
	ExpiryCPUFraction float64
	// DefaultLockTTL is the lifetime of a lock acquired with a zero TTL; 0
	// means 30s. No lock lives forever.
	DefaultLockTTL time.Duration
	// DefaultSessionTTL is the lifetime of a session created with a zero
	// TTL; 0 means 24h.
	DefaultSessionTTL time.Duration
	// PubSubBuffer is how many messages a subscription may hold before
	// its consumer counts as too slow and is disconnected; 0 means
	// pubsub.DefaultBufferSize.
	PubSubBuffer int

	// expiryTick, when set (tests only), drives the worker instead of a
	// ticker.
	expiryTick <-chan time.Time
	// expiryPassed, when set (tests only), receives a value after each
	// pass of the worker, so a test knows when the pass it caused is over.
	expiryPassed chan<- struct{}
}

// Engine is an open database. Use DB to reach a namespace.
type Engine struct {
	opts    Options
	clock   ttl.Clock
	started time.Time
	// wall, when the clock is the system clock, reads it for commands at
	// half the cost of time.Now (see wallClock).
	wall *wallClock
	// coarse: coarseNow may read wall.synced (the worker syncs it at least
	// every coarseMaxInterval).
	coarse bool

	dbs    sync.Map // name -> *DB
	dbsMu  sync.Mutex
	dbList atomic.Pointer[[]*DB] // copy-on-write list for the expiry worker and totals

	// maxMemory is the limit in force (Options.MaxMemory, then
	// SetMaxMemory); used is kept only while it is > 0.
	maxMemory atomic.Int64
	used      atomic.Int64 // bytes across all namespaces
	sessions  sessionTable // every session, by id (see sessions.go)
	broker    *pubsub.Broker
	health    *DB // private namespace for deep health checks (see stats.go)
	closed    atomic.Bool
	stop      chan struct{}
	done      chan struct{}
}

// Open starts an engine and its background expiry worker. Close stops it.
func Open(opts Options) (*Engine, error) {
	if opts.Clock == nil {
		opts.Clock = ttl.System{}
	}
	if opts.ExpiryInterval <= 0 {
		opts.ExpiryInterval = 10 * time.Millisecond
	}
	if opts.ExpiryCPUFraction <= 0 || opts.ExpiryCPUFraction > 1 {
		opts.ExpiryCPUFraction = 0.25
	}
	if opts.DefaultLockTTL <= 0 {
		opts.DefaultLockTTL = 30 * time.Second
	}
	if opts.DefaultSessionTTL <= 0 {
		opts.DefaultSessionTTL = 24 * time.Hour
	}
	if opts.MaxMemory < 0 {
		return nil, invalidArg("ERR MaxMemory must not be negative")
	}
	e := &Engine{
		opts:  opts,
		clock: opts.Clock,
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
		wall:  newWallClock(opts.Clock),
	}
	e.maxMemory.Store(opts.MaxMemory)
	e.coarse = e.wall != nil && opts.expiryTick == nil && opts.ExpiryInterval <= coarseMaxInterval
	e.started = e.clock.Now()
	e.sessions.init()
	e.broker = pubsub.New(pubsub.Options{BufferSize: opts.PubSubBuffer})
	e.health = newDB(e, "")
	empty := []*DB{}
	e.dbList.Store(&empty)
	go e.expiryLoop()
	return e, nil
}

// Close stops the background worker, wakes lock waiters and blocked pops
// (BLPOP...) with ErrClosed and ends every pub/sub subscription (pubsub.ErrBrokerClosed). Calls made
// after Close fail with ErrClosed. Close is idempotent.
func (e *Engine) Close() error {
	if e.closed.Swap(true) {
		return nil
	}
	close(e.stop)
	<-e.done
	// Wake lock waiters with ErrClosed after the worker is gone, so nothing
	// hands a lock over any more.
	for _, db := range *e.dbList.Load() {
		db.closeLocks()
		db.closeBlocks()
	}
	e.broker.Close()
	return nil
}

// Clock is the engine's clock.
func (e *Engine) Clock() ttl.Clock { return e.clock }

// now is the engine's time in Unix milliseconds: deadlines have the same
// precision as in Redis, and EXPIRE accepts the same range.
func (e *Engine) now() int64 {
	if e.wall != nil {
		return e.wall.nowMilli()
	}
	return e.clock.Now().UnixMilli()
}

// wallClock tells the system clock's wall time in Unix ms with one read of
// the monotonic clock plus an offset, where time.Now reads both the wall
// and the monotonic clock: on virtual machines, where each read can cost
// tens of nanoseconds, that was a third of a GET. The expiry worker calls
// sync every interval, so a step of the system clock (NTP, an operator) is
// picked up within ExpiryInterval, and the drift between syncs is the
// clocks' rate difference over that interval (microseconds at most).
type wallClock struct {
	base   time.Time    // a reading that carries a monotonic time
	offset atomic.Int64 // wall time in Unix ns when base's monotonic clock read zero
	// synced is the wall time (Unix ms) of the last sync: a clock that
	// costs one atomic load and lags by at most the worker's interval,
	// for the seconds-resolution created/accessed stamps (see coarseNow).
	synced atomic.Int64
}

// newWallClock returns a wallClock for the system clock, nil for any other.
func newWallClock(c ttl.Clock) *wallClock {
	if _, ok := c.(ttl.System); !ok {
		return nil
	}
	w := &wallClock{base: time.Now()}
	w.sync()
	return w
}

// sync re-anchors the offset on the wall clock.
func (w *wallClock) sync() {
	n := time.Now()
	w.offset.Store(n.UnixNano() - int64(n.Sub(w.base)))
	w.synced.Store(n.UnixMilli())
}

// coarseMaxInterval is the longest worker interval for which the engine
// stamps created/accessed times with the worker-synced clock: the stamps
// are whole seconds, so a lag of up to this much is within their
// resolution most of the time, as with Redis's LRU clock.
const coarseMaxInterval = 100 * time.Millisecond

// coarseNow is the time for created and accessed stamps (Unix ms) of
// commands that need no exact time: the system clock as of the expiry
// worker's last tick when the worker syncs it often enough, else now().
// It never runs ahead of now().
func (e *Engine) coarseNow() int64 {
	if e.coarse {
		return e.wall.synced.Load()
	}
	return e.now()
}

func (w *wallClock) nowMilli() int64 {
	return (w.offset.Load() + int64(time.Since(w.base))) / int64(time.Millisecond)
}

// DB returns the namespace called name, creating it on first use. Namespaces
// are fully independent keyspaces; opening one costs a few small
// allocations per shard.
func (e *Engine) DB(name string) *DB {
	if db, ok := e.dbs.Load(name); ok {
		return db.(*DB)
	}
	e.dbsMu.Lock()
	defer e.dbsMu.Unlock()
	if db, ok := e.dbs.Load(name); ok {
		return db.(*DB)
	}
	db := newDB(e, name)
	e.dbs.Store(name, db)
	list := append(append([]*DB(nil), *e.dbList.Load()...), db)
	e.dbList.Store(&list)
	return db
}

// DBs returns the namespaces opened so far.
func (e *Engine) DBs() []*DB { return append([]*DB(nil), *e.dbList.Load()...) }

// DB is one namespace. Its methods carry Redis semantics.
type DB struct {
	e    *Engine
	name string
	ks   *store.Keyspace

	locks    lockTableRef  // created on first use (see locks.go)
	blocks   blockTableRef // blocked pops, created on first use (see blocking.go)
	sessions dbSessions    // this namespace's sessions (see sessions.go)
	// coordCommands counts lock, session and pub/sub calls, which do not
	// go through the keyspace, for the namespace's statistics.
	coordCommands atomic.Int64
}

func newDB(e *Engine, name string) *DB {
	// The engine-wide byte total is one atomic every write of every core
	// updates, so its cache line moves between cores on each write; it is
	// kept only when a memory limit needs it on the write path. Without
	// one, UsedMemory sums the per-shard counters instead. Measured with
	// BenchmarkEmbedded in bench/cmd/compare (2 goroutines, old and new
	// binaries alternated 3 times): LPUSH+RPOP 597 -> 521 ns/op median.
	var used *atomic.Int64
	if e.maxMemory.Load() > 0 {
		used = &e.used
	}
	return &DB{
		e:    e,
		name: name,
		ks:   store.New(store.Options{Shards: e.opts.Shards, UsedBytes: used, Now: e.now, Coarse: e.coarseNow}),
	}
}

// Name is the namespace's name.
func (db *DB) Name() string { return db.name }

// Engine is the engine the namespace belongs to.
func (db *DB) Engine() *Engine { return db.e }

// begin checks that the engine is open and returns the transaction time.
func (db *DB) begin() (int64, error) {
	if db.e.closed.Load() {
		return 0, ErrClosed
	}
	return db.e.now(), nil
}

// beginLazy is begin for a transaction that reads the time itself when it
// needs it (store.LazyNow).
func (db *DB) beginLazy() (int64, error) {
	if db.e.closed.Load() {
		return 0, ErrClosed
	}
	return store.LazyNow, nil
}

// checkMemory refuses a write when the memory limit is reached. Like Redis
// with noeviction, it refuses before the write, so a write that starts under
// the limit may end slightly above it.
func (db *DB) checkMemory() error {
	if m := db.e.maxMemory.Load(); m > 0 && db.e.used.Load() >= m {
		return ErrOOM
	}
	return nil
}

// MaxMemory is the memory limit in force (0: none), for protocol edges
// that report it (Redis's CONFIG GET maxmemory, INFO).
func (e *Engine) MaxMemory() int64 { return e.maxMemory.Load() }

// SetMaxMemory changes the memory limit while the engine runs (Redis's
// CONFIG SET maxmemory); 0 removes it. A limit below the memory in use is
// accepted, as Redis accepts it under noeviction: writes are refused
// until deletes bring the use under it.
func (e *Engine) SetMaxMemory(n int64) error {
	if n < 0 {
		return invalidArg("ERR MaxMemory must not be negative")
	}
	// dbsMu also guards namespace creation, so a namespace opened during
	// the switch starts with the counter in its final state (newDB).
	e.dbsMu.Lock()
	defer e.dbsMu.Unlock()
	was := e.maxMemory.Load()
	switch {
	case was == 0 && n > 0:
		// The limit applies only once used holds every namespace, so no
		// write is checked against a partial sum.
		e.trackUsed(&e.used)
		e.maxMemory.Store(n)
	case was > 0 && n == 0:
		// Without a limit nothing reads used, and writes stop paying for
		// its shared cache line (see newDB).
		e.maxMemory.Store(0)
		e.trackUsed(nil)
	default:
		e.maxMemory.Store(n)
	}
	return nil
}

// trackUsed attaches every namespace to used (nil: detaches them).
func (e *Engine) trackUsed(used *atomic.Int64) {
	e.health.ks.SetUsedBytes(used)
	for _, db := range *e.dbList.Load() {
		db.ks.SetUsedBytes(used)
	}
}

// Txn executes commands inside one store transaction. DB's methods each run
// one command in a transaction of their own; Atomic runs many in one, so
// that no other caller observes a partial batch (Redis MULTI/EXEC). A Txn is
// only valid inside the callback it was passed to.
//
// Every command method starts with t.read() or t.write(): that counts the
// command for statistics and, for writes, applies the memory limit.
type Txn struct {
	db *DB
	tx *store.Tx
}

func (t Txn) read() { t.tx.CountCommand() }

func (t Txn) write() error {
	t.tx.CountCommand()
	return t.db.checkMemory()
}

// run executes fn in a transaction on one key. The transaction reads the
// clock only if a command needs the exact time (store.LazyNow): a read of
// the monotonic clock was 5-18% of the CPU of HSET and LPUSH+RPOP in
// BenchmarkEmbedded (bench/cmd/compare).
func (db *DB) run(key string, fn func(t Txn) error) error {
	now, err := db.beginLazy()
	if err != nil {
		return err
	}
	// Serving blocked callers at the end of the transaction is keyReady's
	// doing (blocking.go); the common transaction pays one nil check.
	var rs *readyState
	err = db.ks.Update(now, key, func(tx *store.Tx) error {
		err := fn(Txn{db: db, tx: tx})
		if tx.Note() != nil {
			rs = db.serveReady(tx)
		}
		return err
	})
	if rs != nil {
		db.finishReady(rs)
	}
	return err
}

// Atomic runs fn in one transaction holding the shards of keys (nil: every
// shard of the namespace), so that its commands are atomic: no other caller
// observes a partial result. A command on a key outside keys panics. A
// command's error does not undo the commands before it (MULTI/EXEC
// semantics); fn decides whether to go on.
func (db *DB) Atomic(keys []string, fn func(t Txn) error) error {
	// The time is read when a command needs it, as in run: the RESP
	// listener runs every command through Atomic.
	now, err := db.beginLazy()
	if err != nil {
		return err
	}
	return db.update(now, keys, fn)
}
