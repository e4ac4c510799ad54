package resp

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/pubsub"
)

// client is one connection. An event loop (loop.go), or for connections
// the loops cannot adopt a goroutine of its own (serve), reads a batch of
// commands, executes them in order and writes their replies with one
// write; a second goroutine exists only while the client is subscribed, to
// deliver pub/sub messages.
type client struct {
	s       *Server
	nc      net.Conn // as accepted; a loop client's is closed once adopted
	id      int64
	created time.Time
	rd      *reader
	// raddr and laddr are the connection's addresses, for CLIENT LIST.
	raddr, laddr string
	fd           atomic.Int64

	// looped is set before the client is published and never changes: the
	// client is served by an event loop. lconn is its connection, used on
	// the loop only; lc publishes it to other goroutines (close, Shutdown).
	looped bool
	lconn  *loopConn
	lc     atomic.Pointer[loopConn]
	// gone is set on the loop when a loop client's connection has closed.
	gone atomic.Bool
	// backlog is a loop subscriber's unsent output as last seen on its
	// loop, which its forwarder reads to hold back messages.
	backlog atomic.Int64

	// wmu guards w for goroutine clients: the pub/sub forwarder writes
	// messages between the batches of the client's own goroutine. Loop
	// clients need no lock: everything that writes runs on the loop.
	wmu sync.Mutex
	w   *writer

	dbIndex int
	db      *engine.DB
	authed  bool
	quit    bool // close once the current replies are written

	// State read by other goroutines (CLIENT LIST, INFO).
	name       atomic.Pointer[string]
	lastActive atomic.Int64 // Unix ns
	lastCmd    atomic.Pointer[command]
	ncmds      atomic.Int64
	dbShown    atomic.Int32
	protoShown atomic.Int32
	nsub       atomic.Int32
	npsub      atomic.Int32
	multiShown atomic.Int32 // queued commands, -1 outside MULTI
	netIn      atomic.Int64
	netOut     atomic.Int64

	// MULTI/EXEC state.
	multi      bool
	multiDirty bool
	queue      []queued
	watches    []watch

	// Pub/sub state: the subscription and what this client holds in it.
	sub      *pubsub.Subscription
	channels map[string]struct{}
	patterns map[string]struct{}
	fwdDone  chan struct{}

	closeIdle atomic.Bool // set by Shutdown
	closed    atomic.Bool
	done      chan struct{} // closed with closed
	// block is set while the client waits in a blocking command.
	block atomic.Pointer[blockState]

	// prev is the last command looked up: clients (and benchmarks) often
	// repeat one command, and comparing its name is cheaper than a map
	// lookup.
	prev *command

	// Scratch reused by every command, so the hot path does not allocate.
	sargs []string
	keys  []string
}

func newClient(s *Server, nc net.Conn, looped bool) *client {
	now := time.Now()
	c := &client{
		s:       s,
		nc:      nc,
		id:      s.nextID.Add(1),
		created: now,
		raddr:   addrString(nc.RemoteAddr()),
		laddr:   addrString(nc.LocalAddr()),
		looped:  looped,
		w:       newWriter(countingWriter{nc, nil}),
		db:      s.db(0),
		authed:  *s.password.Load() == "",
		done:    make(chan struct{}),
	}
	c.fd.Store(-1)
	if !looped {
		c.fd.Store(int64(connFD(nc)))
	}
	c.w.dst = countingWriter{nc, &c.netOut}
	c.rd = newReader(countingReader{nc, &c.netIn}, s.maxBulk.Load(), s.opts.MaxQueryBuffer)
	c.rd.unauth = !c.authed
	c.lastActive.Store(now.UnixNano())
	c.protoShown.Store(2)
	c.multiShown.Store(-1)
	return c
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// countingWriter and countingReader feed INFO's network byte counters.
type countingWriter struct {
	c io.Writer
	n *atomic.Int64
}

func (cw countingWriter) Write(p []byte) (int, error) {
	n, err := cw.c.Write(p)
	if cw.n != nil {
		cw.n.Add(int64(n))
	}
	return n, err
}

type countingReader struct {
	c io.Reader
	n *atomic.Int64
}

func (cr countingReader) Read(p []byte) (int, error) {
	n, err := cr.c.Read(p)
	cr.n.Add(int64(n))
	return n, err
}

// close disconnects the client; its goroutine, or its loop's OnClose,
// then ends it. Safe from any goroutine.
func (c *client) close() {
	if c.closed.Swap(true) {
		return
	}
	close(c.done)
	if !c.looped {
		_ = c.nc.Close()
		return
	}
	// Before the loop has registered the connection, the registration
	// sees closed instead.
	if lc := c.lc.Load(); lc != nil {
		lc.l.post(lc.close)
	}
}

// closeWhenIdle makes the client end after the batch it is executing, or
// at once if it is waiting for input.
func (c *client) closeWhenIdle() {
	c.closeIdle.Store(true)
	if !c.looped {
		_ = c.nc.SetReadDeadline(time.Now())
		return
	}
	if lc := c.lc.Load(); lc != nil {
		// The loop runs one client's batch to its end before anything
		// else: when this runs, the client is between batches.
		lc.l.post(lc.close)
	}
}

func (c *client) serve() {
	defer c.cleanup()
	deadline := false
	for {
		if idle := time.Duration(c.s.idle.Load()); idle > 0 && c.sub == nil {
			_ = c.nc.SetReadDeadline(time.Now().Add(idle))
			deadline = true
		} else if deadline {
			_ = c.nc.SetReadDeadline(time.Time{})
			deadline = false
		}
		if c.closeIdle.Load() {
			return
		}
		if err := c.rd.fill(); err != nil {
			return
		}
		c.wmu.Lock()
		ok := c.runBatch()
		if c.w.flush() != nil {
			ok = false
		}
		c.wmu.Unlock()
		if !ok || c.closeIdle.Load() {
			return
		}
	}
}

// runBatch executes every complete command in the input buffer. It reports
// false when the connection must be closed.
func (c *client) runBatch() bool {
	if c.lconn != nil {
		c.lastActive.Store(c.lconn.l.now)
	} else {
		c.lastActive.Store(time.Now().UnixNano())
	}
	for {
		args, err := c.rd.next()
		if err != nil {
			if err == errNeedMore {
				return true
			}
			var pe *ProtocolError
			if errors.As(err, &pe) {
				c.s.stats.errors.Add(1)
				c.w.errorText(pe.Error())
			}
			return false
		}
		c.execute(args)
		if c.quit || c.w.err != nil {
			return false
		}
		if c.block.Load() != nil {
			return true // waiting: the rest runs once answered (unblock)
		}
		if c.lconn != nil && c.lconn.outbound() > outputBacklogMax {
			return true // paused until the client reads (see process)
		}
	}
}

func (c *client) cleanup() {
	if c.sub != nil {
		c.sub.Close()
		<-c.fwdDone
	}
	c.close()
}

// setProto switches the reply protocol (HELLO).
func (c *client) setProto(p int) {
	c.w.proto = p
	c.protoShown.Store(int32(p))
}

// selectDB switches the current database.
func (c *client) selectDB(i int) {
	c.dbIndex = i
	c.db = c.s.db(i)
	c.dbShown.Store(int32(i))
}

// execute runs one command the way Redis's processCommand does: look it
// up, check arity, authentication and context, queue it inside MULTI, or
// call it.
func (c *client) execute(args [][]byte) {
	c.ncmds.Add(1)
	cmd := c.prev
	if cmd == nil || !sameName(cmd.name, args[0]) {
		cmd = lookup(args[0])
	}
	if cmd == nil {
		c.reject(unknownCommandText(args))
		return
	}
	if cmd.subs != nil && len(args) >= 2 {
		sub := lookupIn(cmd.subs, args[1])
		if sub == nil {
			c.reject("ERR unknown subcommand '" + trunc(string(args[1]), 128) + "'. Try " + strings.ToUpper(cmd.name) + " HELP.")
			return
		}
		cmd = sub
	} else {
		c.prev = cmd
	}
	if (cmd.arity > 0 && len(args) != cmd.arity) || len(args) < -cmd.arity {
		c.rejectCmd(cmd, "ERR wrong number of arguments for '"+cmd.fullName()+"' command")
		return
	}
	if !c.authed && cmd.flags&flagNoAuth == 0 {
		c.rejectCmd(cmd, "NOAUTH Authentication required.")
		return
	}
	if cmd.flags&flagDenyOOM != 0 && c.s.overMemory() {
		// Refused before it runs (or is queued), as Redis does, so a
		// transaction that would grow memory aborts with EXECABORT.
		c.rejectCmd(cmd, engine.ErrOOM.Error())
		return
	}
	if c.w.proto == 2 && c.subscribed() && cmd.flags&flagSubContext == 0 {
		c.rejectCmd(cmd, "ERR Can't execute '"+cmd.fullName()+"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
		return
	}
	if c.lastCmd.Load() != cmd {
		c.lastCmd.Store(cmd)
	}
	if c.multi && cmd.flags&flagNoQueue == 0 {
		c.enqueue(cmd, args)
		return
	}
	c.call(cmd, args)
}

// reject answers a command refused before execution; inside MULTI it also
// dooms the transaction (EXECABORT), as in Redis.
func (c *client) reject(msg string) {
	c.s.stats.errors.Add(1)
	if c.multi {
		c.multiDirty = true
	}
	c.w.errorText(msg)
}

// rejectCmd is reject for a command already looked up. EXEC refused
// before it runs (arity, NOAUTH, subscribed context) still ends the
// transaction and answers EXECABORT, as Redis's execCommandAbort does,
// so that the client knows it has left MULTI; the reason loses its ERR
// prefix as in Redis's text.
func (c *client) rejectCmd(cmd *command, msg string) {
	if cmd.name != "exec" || cmd.parent != nil {
		c.reject(msg)
		return
	}
	c.discardMulti()
	c.unwatchAll()
	c.s.stats.errors.Add(1)
	c.w.errorText("EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR "))
}

// replyErr writes an engine or command error.
func (c *client) replyErr(err error) {
	c.s.stats.errors.Add(1)
	c.w.errorText(err.Error())
}

// sameName reports whether name (lower case) equals b case-insensitively.
func sameName(name string, b []byte) bool {
	if len(name) != len(b) {
		return false
	}
	for i := 0; i < len(b); i++ {
		ch := b[i]
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		if ch != name[i] {
			return false
		}
	}
	return true
}

// strArgs converts the arguments after the command name to strings, in a
// slice reused across commands. Each argument gets its own allocation so a
// stored value never pins the memory of another.
//
// Commands marked flagBorrowArgs instead get strings that alias the read
// buffer, without copying: they are read-only engine commands, which
// neither keep their arguments nor outlive the buffer (the next read
// happens after the command has replied).
func (c *client) strArgs(args [][]byte, borrow bool) []string {
	sa := c.sargs[:0]
	for _, a := range args {
		if borrow {
			sa = append(sa, unsafe.String(unsafe.SliceData(a), len(a)))
		} else {
			sa = append(sa, string(a))
		}
	}
	if cap(sa) <= argSlotsCap {
		c.sargs = sa
	}
	return sa
}

// call executes a command now. A panic in a command (an engine bug) is
// answered with an error and ends this connection instead of the process:
// the engine's locks are released by its own defers.
func (c *client) call(cmd *command, args [][]byte) {
	defer func() {
		if r := recover(); r != nil {
			c.w.hold = false
			c.s.stats.panics.Add(1)
			c.replyErr(textError(fmt.Sprintf("ERR internal error in '%s' command: %v", cmd.fullName(), r)))
			c.quit = true
		}
	}()
	var a []string
	borrow := cmd.flags&flagBorrowArgs != 0
	if cmd.parent == nil {
		a = c.strArgs(args[1:], borrow)
	} else {
		a = c.strArgs(args[2:], borrow)
	}
	c.callStrings(cmd, a)
}

// callStrings executes cmd with its arguments (without the command and
// subcommand names).
func (c *client) callStrings(cmd *command, a []string) {
	if cmd.block != nil {
		c.runBlocking(cmd.block, a)
		return
	}
	if cmd.txn == nil {
		cmd.run(c, a)
		return
	}
	keys := cmd.keysOf(a, c.keys[:0])
	if keys != nil {
		c.keys = keys[:0]
	}
	c.w.hold = true
	var herr error
	err := c.db.Atomic(keys, func(t engine.Txn) error {
		herr = cmd.txn(c, t, a)
		return nil
	})
	c.w.hold = false
	if err == nil {
		err = herr
	}
	if err != nil {
		c.replyErr(err)
	}
	c.w.maybeFlush()
}

// unknownCommandText is Redis's reply to an unknown command: the name and
// the start of the arguments, each cut to fit 128 bytes.
func unknownCommandText(args [][]byte) string {
	var sb strings.Builder
	for i := 1; i < len(args) && sb.Len() < 128; i++ {
		a := args[i]
		if room := 128 - sb.Len(); len(a) > room {
			a = a[:room]
		}
		sb.WriteByte('\'')
		sb.Write(a)
		sb.WriteString("' ")
	}
	return "ERR unknown command '" + trunc(string(args[0]), 128) + "', with args beginning with: " + sb.String()
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
