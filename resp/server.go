// Package resp serves an engine over the Redis protocol (RESP2 and RESP3),
// so that redis-cli, go-redis, redis-py or redis-benchmark can talk to
// isa-memstore as they would to Redis 7.0.
//
//	srv := resp.NewServer(eng, resp.Options{})
//	go srv.ListenAndServe("127.0.0.1:6379")
//	defer srv.Close()
//
// The package only parses requests into engine calls and encodes the
// replies; Redis semantics live in the engine. Databases 0-15 (SELECT) are
// separate engine namespaces named Options.Namespace + N; pub/sub channels
// are those of database 0's namespace, shared with the engine's other
// users.
//
// Where it knowingly differs from Redis 7.0:
//   - EXEC runs the queued commands that work on keys in one engine
//     transaction over the whole database; commands that manage their own
//     engine calls (KEYS, SCAN, DBSIZE, FLUSHDB, FLUSHALL, RANDOMKEY,
//     SELECT, PUBLISH, INFO, ...) run between such transactions.
//   - WATCH sees every write, expiry, deletion and TTL change of a key that
//     existed when it was watched; a watched key that was absent, then
//     created and deleted again before EXEC, goes unnoticed.
//   - Commands the engine does not offer are unknown: streams (X*), geo
//     (GEO*), HyperLogLog (PF*), functions (FUNCTION/FCALL), SWAPDB,
//     DUMP/RESTORE, MONITOR, sharded pub/sub, CLIENT PAUSE/TRACKING/REPLY,
//     ACL, replication (WAIT, ROLE, REPLICAOF...) and cluster commands,
//     persistence (SAVE, BGSAVE, BGREWRITEAOF), and the diagnostics
//     LATENCY, SLOWLOG, DEBUG, MODULE and LOLWUT and MEMORY's subcommands
//     other than USAGE (which answers the engine's own accounting of the
//     key, not Redis's allocator bytes); COMMAND has no
//     GETKEYS/GETKEYSANDFLAGS, and COMMAND INFO
//     reports no tips or key specs. INFO has no Errorstats, Commandstats
//     or Latencystats sections.
//   - Blocking pops (cmd_block.go) wait in the engine, served in Redis's
//     order. A connection served by a goroutine (TLS) that closes while
//     waiting is noticed when the wait ends (an event loop notices at
//     once); a RESP3 client's pub/sub pushes wait while it waits.
//   - Lua scripts (EVAL, EVALSHA, *_RO, SCRIPT; cmd_script.go) run on
//     gopher-lua, a Lua 5.1, inside one engine transaction over the whole
//     database. A script running longer than DefaultScriptTimeLimit is
//     stopped with an error (its writes stay) instead of making the server
//     BUSY until SCRIPT KILL, which therefore always answers NOTBUSY.
//     Inside scripts, KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL and
//     INFO answer an error (they cannot run inside
//     the script's transaction); SELECT may only go to a database already
//     used or a higher one. The bit, struct and cmsgpack libraries are
//     missing; cjson is gopher-json's (not byte-compatible). Lua's runtime
//     error messages and number-to-string conversion in concatenation are
//     gopher-lua's; there is no memory limit per script.
//   - OBJECT ENCODING reports Redis 7.0's encoding for the value's current
//     contents under the default thresholds; Redis also depends on history
//     (it never converts back, and strings written in place are raw): see
//     engine/object.go.
//   - COPY and MOVE are each atomic, across two databases too, but inside
//     MULTI they run between the other queued commands' shared
//     transactions (like FLUSHDB), not inside one.
//   - SCAN's cursor is a position in hash order (see cmd_scan.go);
//     RANDOMKEY is O(N).
package resp

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/isa-cloud/isa-memstore/engine"
)

// RedisVersion is the Redis release whose behaviour the server reproduces
// (the reference of the differential tests); HELLO and INFO report it so
// that clients enable the features they would use with that Redis.
const RedisVersion = "7.0.15"

// Defaults of Options.
const (
	DefaultMaxClients = 10000
	DefaultDatabases  = 16
	DefaultNamespace  = "resp:db:"
	// DefaultPubSubWriteTimeout bounds how long delivering to a subscriber
	// may block on its socket before the subscriber is disconnected, as
	// Redis's client-output-buffer-limit soft limit of 60 seconds.
	DefaultPubSubWriteTimeout = 60 * time.Second
)

// Options configure a Server. The zero value gives Redis's defaults.
type Options struct {
	// Password, when set, must be given with AUTH (or HELLO ... AUTH) before
	// any other command (Redis's requirepass for the default user).
	Password string
	// MaxClients is the most connections served at once (Redis maxclients);
	// 0 means DefaultMaxClients. Others are told so and closed.
	MaxClients int
	// IdleTimeout closes a client idle for longer (Redis timeout); 0 never.
	// Subscribed clients are exempt, as in Redis.
	IdleTimeout time.Duration
	// MaxBulkLen is the largest bulk argument accepted (Redis
	// proto-max-bulk-len); 0 means 512 MB.
	MaxBulkLen int64
	// MaxQueryBuffer is the most a client's pending command may occupy
	// before it is disconnected (client-query-buffer-limit); 0 means 1 GB.
	MaxQueryBuffer int
	// Databases is the number of SELECTable databases; 0 means 16.
	Databases int
	// Namespace prefixes the engine namespace of each database ("resp:db:"
	// when empty): database N is engine namespace Namespace+N.
	Namespace string
	// PubSubNamespace is the engine namespace whose channels PUBLISH and
	// SUBSCRIBE use; empty means database 0's namespace, so that RESP and
	// gRPC clients of that namespace share channels. Redis channels are
	// global, not per database. How many messages may wait for a slow
	// subscriber is the engine's Options.PubSubBuffer.
	PubSubNamespace string
	// PubSubWriteTimeout bounds how long a subscriber may leave its
	// messages unread (a blocked write, or a backlog of unsent output)
	// before it is disconnected; 0 means DefaultPubSubWriteTimeout.
	PubSubWriteTimeout time.Duration
	// EventLoops is the number of event loops serving the connections; 0
	// means half of GOMAXPROCS, at least one, and a negative number a
	// goroutine per connection instead (as for connections the loops
	// cannot adopt, such as TLS). Redis serves every client
	// from one thread: on a 2-core machine one loop used less CPU per
	// request and served more than two, which competed with the clients
	// and with each other (bench/RESULTS.md).
	EventLoops int
	// BusyPoll is how long after its last events arrived an event loop
	// keeps polling without sleeping, before it blocks in epoll_wait: a
	// request that arrives meanwhile is picked up without the sleep and
	// wake-up, whose cost on loopback falls mostly on the sending client's
	// system call. 0 means DefaultBusyPoll when GOMAXPROCS is at least 2;
	// a negative value, or a single P, turns it off (a spinning loop would
	// hold the only P). The loop never spins while idle: the time is
	// counted from its last events. With redis-benchmark on 2 cores,
	// 50 us served 13-20% more unpipelined requests per second for 0-10%
	// more CPU per request in interleaved rounds, less in separate runs
	// of bench/resp-compare.sh (bench/RESULTS.md, session 4). Connections
	// served by goroutines (EventLoops < 0, TLS) do not busy-poll.
	BusyPoll time.Duration
}

// DefaultBusyPoll is Options.BusyPoll's default.
const DefaultBusyPoll = 50 * time.Microsecond

// Server is a RESP listener over an engine. Its methods are safe for
// concurrent use.
type Server struct {
	eng     *engine.Engine
	opts    Options
	pubsub  *engine.DB // the namespace of the server's channels
	started time.Time
	dbs     []atomic.Pointer[engine.DB]
	scans   []atomic.Pointer[keySnapshot] // per database, see cmd_scan.go

	// Runtime settings changeable with CONFIG SET.
	password   atomic.Pointer[string]
	maxClients atomic.Int64
	idle       atomic.Int64 // nanoseconds
	maxBulk    atomic.Int64

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	clients   map[*client]struct{}
	addr      net.Addr
	closing   bool
	done      chan struct{} // closed by Close/Shutdown
	// wg counts accept loops, clients (until their goroutine or OnClose
	// ends), loop clients' pub/sub forwarders and the idle checker: once
	// it is zero nothing uses the event loops any more.
	wg sync.WaitGroup

	// The event loops (loop.go), started by the first Serve; loopMu is
	// held for writing to start or stop them.
	loopMu       sync.RWMutex
	loops        []*eventLoop
	loopsStopped bool
	nextLoop     atomic.Uint32

	nextID atomic.Int64
	stats  serverStats
}

// serverStats are the INFO counters not kept by the engine.
type serverStats struct {
	connections atomic.Int64 // total accepted
	rejected    atomic.Int64 // refused over maxclients
	commands    atomic.Int64 // commands of closed clients (live ones count their own)
	netIn       atomic.Int64
	netOut      atomic.Int64
	errors      atomic.Int64
	panics      atomic.Int64 // commands that panicked (engine bugs)
}

// NewServer returns a server for eng. It starts nothing until Serve or
// ListenAndServe.
func NewServer(eng *engine.Engine, opts Options) *Server {
	if opts.MaxClients <= 0 {
		opts.MaxClients = DefaultMaxClients
	}
	if opts.MaxBulkLen <= 0 {
		opts.MaxBulkLen = DefaultMaxBulkLen
	}
	if opts.MaxQueryBuffer <= 0 {
		opts.MaxQueryBuffer = DefaultMaxQueryBuffer
	}
	if opts.Databases <= 0 {
		opts.Databases = DefaultDatabases
	}
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	if opts.PubSubNamespace == "" {
		opts.PubSubNamespace = opts.Namespace + "0"
	}
	if opts.PubSubWriteTimeout <= 0 {
		opts.PubSubWriteTimeout = DefaultPubSubWriteTimeout
	}
	if opts.EventLoops == 0 {
		opts.EventLoops = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if opts.BusyPoll == 0 {
		opts.BusyPoll = DefaultBusyPoll
	}
	if opts.BusyPoll < 0 || runtime.GOMAXPROCS(0) < 2 {
		opts.BusyPoll = 0
	}
	s := &Server{
		eng:       eng,
		opts:      opts,
		pubsub:    eng.DB(opts.PubSubNamespace),
		started:   time.Now(),
		dbs:       make([]atomic.Pointer[engine.DB], opts.Databases),
		scans:     make([]atomic.Pointer[keySnapshot], opts.Databases),
		listeners: make(map[net.Listener]struct{}),
		clients:   make(map[*client]struct{}),
		done:      make(chan struct{}),
	}
	pw := opts.Password
	s.password.Store(&pw)
	s.maxClients.Store(int64(opts.MaxClients))
	s.idle.Store(int64(opts.IdleTimeout))
	s.maxBulk.Store(opts.MaxBulkLen)
	return s
}

// db returns database i (0 <= i < Databases), opening its namespace on
// first use.
func (s *Server) db(i int) *engine.DB {
	if db := s.dbs[i].Load(); db != nil {
		return db
	}
	db := s.eng.DB(s.opts.Namespace + strconv.Itoa(i))
	s.dbs[i].Store(db)
	return db
}

// ErrServerClosed is returned by Serve and ListenAndServe after Close or
// Shutdown.
var ErrServerClosed = errors.New("resp: server closed")

// ListenAndServe listens on the TCP address addr and serves until Close.
func (s *Server) ListenAndServe(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l until Close or Shutdown, then returns
// ErrServerClosed; it closes l.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		_ = l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	if s.addr == nil {
		s.addr = l.Addr()
	}
	s.wg.Add(1) // the accept loop itself, so Close waits for it
	s.mu.Unlock()
	defer s.wg.Done()
	s.startLoops()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		_ = l.Close()
	}()

	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			select {
			case <-s.done:
				return ErrServerClosed
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Out of file descriptors and the like: wait and retry
				// rather than spin or give up.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				select {
				case <-time.After(backoff):
				case <-s.done:
					return ErrServerClosed
				}
				continue
			}
			return err
		}
		backoff = 0
		s.accept(nc)
	}
}

// accept registers a connection and hands it to the event loops (or
// starts its goroutine), or refuses it over the client limit with Redis's
// error.
func (s *Server) accept(nc net.Conn) {
	s.stats.connections.Add(1)
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	looped := s.loopsRunning() && adoptable(nc)
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		_ = nc.Close()
		return
	}
	if int64(len(s.clients)) >= s.maxClients.Load() {
		s.mu.Unlock()
		s.stats.rejected.Add(1)
		_ = nc.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = nc.Write([]byte("-ERR max number of clients reached\r\n"))
		_ = nc.Close()
		return
	}
	c := newClient(s, nc, looped)
	s.clients[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	if looped {
		if !s.enroll(c, nc) {
			// Out of descriptors and the like: nc is closed already.
			s.removeClient(c)
		}
		return
	}
	go func() {
		c.serve()
		s.removeClient(c)
	}()
}

// removeClient forgets an ended client.
func (s *Server) removeClient(c *client) {
	s.mu.Lock()
	delete(s.clients, c)
	s.mu.Unlock()
	s.stats.commands.Add(c.ncmds.Load())
	s.wg.Done()
}

// Addr is the address of the first listener Serve was given (nil before).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Close stops accepting, closes every connection and waits for their
// goroutines to end. It is idempotent.
func (s *Server) Close() error {
	s.beginClose()
	for c := range s.snapshotClients() {
		c.close()
	}
	s.wg.Wait()
	s.stopLoops()
	return nil
}

// Shutdown stops accepting and waits until every client has disconnected
// or ctx ends, then closes what remains (as Close). Idle clients are not
// waited for: they are closed once their current pipeline is answered.
func (s *Server) Shutdown(ctx context.Context) error {
	s.beginClose()
	for c := range s.snapshotClients() {
		c.closeWhenIdle()
	}
	waited := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(waited)
	}()
	select {
	case <-waited:
		s.stopLoops()
		return nil
	case <-ctx.Done():
		_ = s.Close()
		return ctx.Err()
	}
}

func (s *Server) beginClose() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return
	}
	s.closing = true
	close(s.done)
	for l := range s.listeners {
		_ = l.Close()
	}
}

func (s *Server) snapshotClients() map[*client]struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[*client]struct{}, len(s.clients))
	for c := range s.clients {
		out[c] = struct{}{}
	}
	return out
}

// overMemory reports whether the engine's memory limit is reached, when it
// has one.
func (s *Server) overMemory() bool {
	m := s.eng.MaxMemory()
	return m > 0 && s.eng.UsedMemory() >= m
}

// totalCommands is the number of commands processed so far.
func (s *Server) totalCommands() int64 {
	n := s.stats.commands.Load()
	s.mu.Lock()
	for c := range s.clients {
		n += c.ncmds.Load()
	}
	s.mu.Unlock()
	return n
}
