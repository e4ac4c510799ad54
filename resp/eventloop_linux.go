//go:build linux

package resp

import (
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// eventLoop serves many connections from one goroutine with epoll, the way
// Redis's ae loop does: one blocking epoll_wait, then a read, the commands
// and one write for each ready connection. Nothing else happens per
// iteration: no second, non-blocking poll and no yielding to the Go
// scheduler between polls (which wakes an idle P's thread each time and,
// measured with redis-benchmark, cost more CPU per request than the
// commands themselves; bench/RESULTS.md, session 3).
//
// Connections, their buffers and their clients' state are touched only by
// the loop's goroutine. Other goroutines hand it work with post, which
// queues a function and wakes the loop through an eventfd.
type eventLoop struct {
	epfd   int
	wakeFd int
	conns  []*loopConn // by descriptor; loop only
	events []unix.EpollEvent
	// now is the time the last epoll_wait returned (Unix ns): the clients
	// it serves record it as their last activity, one clock read per
	// iteration instead of one per client.
	now int64
	// flushQ are the connections with replies to write at the end of the
	// iteration (see queueFlush).
	flushQ []*loopConn
	done   chan struct{} // closed when run has returned
	// busyPoll (ns) is how long after the last epoll_wait returned the
	// loop polls before it blocks (Options.BusyPoll); 0: never.
	busyPoll int64

	mu      sync.Mutex
	tasks   []func()
	spare   []func()
	woken   bool // an eventfd wake-up is pending
	stopped bool // post refuses work; the descriptors are closed or closing
}

// loopConn is a connection served by an event loop. It is the client's
// reader source and writer destination: reads and writes go straight to
// the non-blocking socket, and what the socket does not take at once waits
// in out until it reports writable.
type loopConn struct {
	l  *eventLoop
	fd int
	c  *client

	out         []byte
	events      uint32 // registered interest
	paused      bool   // input left unread until out drains (see client.process)
	closed      bool
	flushQueued bool // in the loop's flushQ
}

// yieldEvery is how often a busy loop yields to the Go scheduler; under
// sysmon's 10 ms forced preemption.
const yieldEvery = 5 * time.Millisecond

// errWouldBlock is a read that found no data (a spurious wake-up).
var errWouldBlock = errors.New("resp: no data ready")

// loopsSupported reports whether this platform has event loops.
const loopsSupported = true

func newEventLoop(busyPoll time.Duration) (*eventLoop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	wfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		_ = unix.Close(epfd)
		return nil, err
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wfd)}); err != nil {
		_ = unix.Close(epfd)
		_ = unix.Close(wfd)
		return nil, err
	}
	l := &eventLoop{
		epfd:     epfd,
		wakeFd:   wfd,
		conns:    make([]*loopConn, 0, 64),
		events:   make([]unix.EpollEvent, 256),
		done:     make(chan struct{}),
		busyPoll: int64(busyPoll),
	}
	go l.run()
	return l, nil
}

// post queues f to run on the loop; it reports false, and f never runs,
// once the loop has stopped.
func (l *eventLoop) post(f func()) bool {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return false
	}
	l.tasks = append(l.tasks, f)
	wake := !l.woken
	l.woken = true
	l.mu.Unlock()
	if wake {
		// One wake-up serves every task queued until the loop reads it.
		var one = [8]byte{1}
		_, _ = unix.Write(l.wakeFd, one[:])
	}
	return true
}

// stop ends the loop: connections still open are closed (their clients
// ended) and the descriptors released. It waits for the loop to return.
func (l *eventLoop) stop() {
	if l.post(func() {
		l.mu.Lock()
		l.stopped = true
		l.mu.Unlock()
	}) {
		<-l.done
	}
}

func (l *eventLoop) run() {
	defer close(l.done)
	l.now = time.Now().UnixNano()
	lastYield := l.now
	for {
		// A goroutine that never parks looks, to the Go scheduler, like
		// one running for ever: every 10 ms sysmon preempts it and takes
		// its P away in the middle of a system call, and keeps polling
		// every 20 us while it does so. Yielding now and then, more often
		// than that, keeps the scheduler quiet (fewer wake-ups of other
		// threads than yielding on every idle poll, as gnet does).
		if l.now-lastYield > int64(yieldEvery) {
			lastYield = l.now
			runtime.Gosched()
		}
		n, err := l.wait()
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			// Only a programming error (a bad descriptor) gets here: end
			// the loop's connections rather than spin.
			l.shutdown()
			return
		}
		runTasks := false
		for i := 0; i < n; i++ {
			ev := &l.events[i]
			fd := int(ev.Fd)
			if fd == l.wakeFd {
				runTasks = true
				continue
			}
			if fd < len(l.conns) && l.conns[fd] != nil {
				l.conns[fd].onEvent(ev.Events)
			}
		}
		if runTasks && l.runTasks() {
			l.shutdown()
			return
		}
		if len(l.flushQ) > 0 {
			l.flushPending()
		}
	}
}

// wait returns the next ready events, blocking until there are some. Until
// busyPoll has passed since the last wait returned, it polls without
// blocking first (Options.BusyPoll says why), so an iteration that itself
// took longer goes straight to the blocking wait. The polls are raw system
// calls: they return at once, so handing the P to the scheduler around
// them would cost more than the poll. epoll_pwait with no signal mask is
// epoll_wait, and exists on every Linux architecture (arm64 has no
// epoll_wait).
func (l *eventLoop) wait() (int, error) {
	if l.busyPoll > 0 {
		start := l.now
		for {
			n, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(l.epfd),
				uintptr(unsafe.Pointer(&l.events[0])), uintptr(len(l.events)), 0, 0, 0)
			l.now = time.Now().UnixNano()
			if e != 0 && e != syscall.EINTR {
				return 0, e
			}
			if e == 0 && n > 0 {
				return int(n), nil
			}
			if l.now-start >= l.busyPoll {
				break
			}
		}
	}
	n, err := unix.EpollWait(l.epfd, l.events, -1)
	l.now = time.Now().UnixNano()
	return n, err
}

// queueFlush has the client's replies written at the end of the current
// iteration, once every ready connection has been read and executed, as
// Redis writes its replies before it sleeps: the replies then reach the
// clients in a burst, which a client that sleeps in epoll_wait between
// them (redis-benchmark does) handles with fewer wake-ups than replies
// written one by one between reads. Measured with redis-benchmark, that
// is less CPU per request on both sides (bench/RESULTS.md, session 3).
func (lc *loopConn) queueFlush() {
	if !lc.flushQueued {
		lc.flushQueued = true
		lc.l.flushQ = append(lc.l.flushQ, lc)
	}
}

// flushPending writes the replies queued in this iteration; a client left
// with more than outputBacklogMax unsent is paused.
func (l *eventLoop) flushPending() {
	for i, lc := range l.flushQ {
		l.flushQ[i] = nil
		lc.flushQueued = false
		if lc.closed {
			continue
		}
		if lc.c.w.flush() != nil {
			lc.close()
			continue
		}
		if lc.outbound() > outputBacklogMax {
			lc.pause()
		}
	}
	l.flushQ = l.flushQ[:0]
}

// runTasks runs what post queued; it reports whether the loop must stop.
func (l *eventLoop) runTasks() bool {
	var buf [8]byte
	_, _ = unix.Read(l.wakeFd, buf[:])
	l.mu.Lock()
	tasks := l.tasks
	l.tasks = l.spare[:0]
	l.woken = false
	l.mu.Unlock()
	for i, f := range tasks {
		f()
		tasks[i] = nil
	}
	l.mu.Lock()
	l.spare = tasks[:0]
	stopped := l.stopped
	l.mu.Unlock()
	return stopped
}

// shutdown closes every connection and the loop's own descriptors.
func (l *eventLoop) shutdown() {
	l.mu.Lock()
	l.stopped = true
	tasks := l.tasks
	l.tasks = nil
	l.mu.Unlock()
	// Tasks queued before the stop still run: they may be enrolments,
	// whose connections must be closed like the others.
	for _, f := range tasks {
		f()
	}
	for _, lc := range l.conns {
		if lc != nil {
			lc.close()
		}
	}
	_ = unix.Close(l.epfd)
	_ = unix.Close(l.wakeFd)
}

// adopt takes over nc's socket for client c: it duplicates the descriptor
// (closing nc, which also removes it from Go's own poller) and registers
// it with the loop. It reports false, with nc closed, when that fails or
// the loop has stopped.
func (l *eventLoop) adopt(c *client, nc net.Conn) bool {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		_ = nc.Close()
		return false
	}
	fd := -1
	cerr := raw.Control(func(s uintptr) {
		fd, err = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0)
	})
	_ = nc.Close()
	if cerr != nil || err != nil {
		return false
	}
	// The duplicate shares the original's file status: non-blocking.
	lc := &loopConn{l: l, fd: fd, c: c}
	c.bindLoop(lc)
	registered := make(chan bool, 1)
	if !l.post(func() {
		lc.events = unix.EPOLLIN
		if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: lc.events, Fd: int32(fd)}); err != nil {
			_ = unix.Close(fd)
			lc.closed = true
			registered <- false
			return
		}
		for fd >= len(l.conns) {
			l.conns = append(l.conns, nil)
		}
		l.conns[fd] = lc
		registered <- true
		// close or closeWhenIdle may have run before the connection was
		// registered; they only found lc, and left the rest to this.
		if c.closed.Load() || c.closeIdle.Load() {
			lc.close()
		}
	}) {
		_ = unix.Close(fd)
		return false
	}
	return <-registered
}

// onEvent handles what epoll reported for the connection.
func (lc *loopConn) onEvent(ev uint32) {
	if ev&unix.EPOLLOUT != 0 && len(lc.out) > 0 {
		if lc.flushOut() != nil {
			lc.close()
			return
		}
		if lc.paused && len(lc.out) <= outputBacklogMax {
			// The client reads again: run what it sent meanwhile.
			lc.paused = false
			lc.setInterest()
			if !lc.c.process() {
				lc.close()
				return
			}
		}
	}
	if ev&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLERR) != 0 && !lc.closed && !lc.paused {
		lc.onReadable()
	}
}

// onReadable reads what arrived and executes the complete commands.
func (lc *loopConn) onReadable() {
	c := lc.c
	if err := c.rd.fill(); err != nil {
		if err == errWouldBlock {
			return
		}
		lc.close() // EOF, reset, or over the query buffer limit (no reply, as Redis)
		return
	}
	if !c.process() {
		lc.close()
	}
}

// Read reads from the socket once. No data yet is errWouldBlock; the end
// of the stream is io.EOF as for any reader.
func (lc *loopConn) Read(p []byte) (int, error) {
	for {
		n, err := rawRead(lc.fd, p)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return 0, errWouldBlock
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// Write writes p to the socket, keeping what it does not take in out (and
// asking to be told when it becomes writable). It fails only when the
// connection is broken.
func (lc *loopConn) Write(p []byte) (int, error) {
	if lc.closed {
		return 0, net.ErrClosed
	}
	if len(lc.out) > 0 {
		lc.out = append(lc.out, p...)
		return len(p), nil
	}
	n, err := writeSome(lc.fd, p)
	if err != nil {
		return 0, err
	}
	if n < len(p) {
		lc.out = append(lc.out, p[n:]...)
		lc.setInterest()
	}
	return len(p), nil
}

// writeSome writes as much of p as the socket takes now.
func writeSome(fd int, p []byte) (int, error) {
	for {
		n, err := rawWrite(fd, p)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return 0, nil
		case err != nil:
			return 0, err
		}
		return n, nil
	}
}

// flushOut writes pending output as far as the socket takes it.
func (lc *loopConn) flushOut() error {
	n, err := writeSome(lc.fd, lc.out)
	if err != nil {
		return err
	}
	rest := copy(lc.out, lc.out[n:])
	lc.out = lc.out[:rest]
	if rest == 0 && cap(lc.out) > 4*writeThreshold {
		lc.out = nil // a burst is over: give its memory back
	}
	lc.setInterest()
	return nil
}

// outbound is how much output waits for the socket.
func (lc *loopConn) outbound() int { return len(lc.out) }

// pause stops reading the client's input until its output drains below
// outputBacklogMax.
func (lc *loopConn) pause() {
	lc.paused = true
	lc.setInterest()
}

// setInterest registers what the connection waits for: input unless
// paused, writability while output waits.
func (lc *loopConn) setInterest() {
	var want uint32
	if !lc.paused {
		want = unix.EPOLLIN
	}
	if len(lc.out) > 0 {
		want |= unix.EPOLLOUT
	}
	if want == lc.events || lc.closed {
		return
	}
	lc.events = want
	_ = unix.EpollCtl(lc.l.epfd, unix.EPOLL_CTL_MOD, lc.fd, &unix.EpollEvent{Events: want, Fd: int32(lc.fd)})
}

// close closes the connection (writing what the socket still takes of
// the pending output) and ends its client. Loop only; idempotent.
func (lc *loopConn) close() {
	if lc.closed {
		return
	}
	if len(lc.out) > 0 {
		_, _ = writeSome(lc.fd, lc.out)
	}
	lc.closed = true
	lc.out = nil
	_ = unix.EpollCtl(lc.l.epfd, unix.EPOLL_CTL_DEL, lc.fd, nil)
	_ = unix.Close(lc.fd)
	lc.l.conns[lc.fd] = nil
	lc.c.endLoop()
}

// rawRead and rawWrite are read(2) and write(2) without telling the Go
// scheduler: on a non-blocking socket they never block, and skipping the
// scheduler's bookkeeping around each call saves a few percent of the CPU
// a request costs (the loop's blocking epoll_wait still goes through it).
func rawRead(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

func rawWrite(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
