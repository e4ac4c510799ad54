package resp

import (
	"log"
	"net"
	"time"
)

// Connections are served by event loops (eventloop_linux.go) rather than
// a goroutine each: with one goroutine per connection, every request costs
// a netpoll wake-up, a goroutine switch and a read and a write system call
// on its own, which on a small machine is about 1.5x Redis's CPU per
// request. An event loop serves all the connections that are ready after
// one epoll_wait, without scheduling anything.
//
// Server.Serve keeps its own accept loop over the net.Listener it is given
// (so that any listener, port 0 included, works) and hands each accepted
// TCP or Unix connection to a loop, which duplicates the descriptor and
// closes the net.Conn. Connections the loops cannot adopt (a TLS listener,
// net.Pipe, ...), and every connection on platforms without epoll, are
// served by a goroutine (client.serve).
//
// Everything a loop client owns (reader, writer, MULTI and subscription
// state) is touched only on its loop: commands run in client.process,
// pub/sub messages are handed to the loop with client.onLoop, and other
// goroutines only set atomic flags and ask the loop to act.

const (
	// outputBacklogMax is how much unsent output a loop client may have
	// before the loop stops executing its commands (and, for a subscriber,
	// delivering its messages) until the client reads. It stands for the
	// socket buffer a goroutine-served client would block on: without it a
	// client that pipelines without reading would make the server buffer
	// replies without bound.
	outputBacklogMax = 1 << 20
	// backlogPollMin and backlogPollMax bound how often a subscriber's
	// forwarder looks again at a backlog over outputBacklogMax.
	backlogPollMin = time.Millisecond
	backlogPollMax = 50 * time.Millisecond
	// idleCheckEvery is how often idle loop clients are looked for (Redis
	// checks client timeouts in its cron at 10 Hz as well).
	idleCheckEvery = 100 * time.Millisecond
)

// startLoops starts the event loops on first use; when they cannot be
// started, connections are served by goroutines.
func (s *Server) startLoops() {
	s.loopMu.Lock()
	defer s.loopMu.Unlock()
	if s.loops != nil || s.loopsStopped || s.opts.EventLoops < 0 {
		return
	}
	if !loopsSupported {
		s.loopsStopped = true
		return
	}
	for range s.opts.EventLoops {
		l, err := newEventLoop(s.opts.BusyPoll)
		if err != nil {
			log.Printf("resp: event loops unavailable, serving connections with goroutines: %v", err)
			for _, l := range s.loops {
				l.stop()
			}
			s.loops = nil
			s.loopsStopped = true
			return
		}
		s.loops = append(s.loops, l)
	}
	s.mu.Lock()
	s.wg.Add(1)
	s.mu.Unlock()
	go s.closeIdleClients()
}

// stopLoops stops the event loops once every loop client has ended.
func (s *Server) stopLoops() {
	s.loopMu.Lock()
	defer s.loopMu.Unlock()
	if !s.loopsStopped {
		for _, l := range s.loops {
			l.stop()
		}
	}
	s.loopsStopped = true
}

// loopsRunning reports whether the event loops serve new connections.
func (s *Server) loopsRunning() bool {
	s.loopMu.RLock()
	defer s.loopMu.RUnlock()
	return s.loops != nil && !s.loopsStopped
}

// adoptable reports whether the event loops can take over nc: a socket
// whose descriptor can be duplicated.
func adoptable(nc net.Conn) bool {
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
		return true
	}
	return false
}

// enroll hands an accepted connection to an event loop, the loops taking
// turns; it reports false when the connection could not be adopted (it is
// closed then).
func (s *Server) enroll(c *client, nc net.Conn) bool {
	s.loopMu.RLock()
	defer s.loopMu.RUnlock()
	if s.loops == nil || s.loopsStopped {
		_ = nc.Close()
		return false
	}
	l := s.loops[int(s.nextLoop.Add(1))%len(s.loops)]
	return l.adopt(c, nc)
}

// bindLoop makes lc the client's connection, before the loop serves it.
func (c *client) bindLoop(lc *loopConn) {
	c.lconn = lc
	c.fd.Store(int64(lc.fd))
	c.rd.src = countingReader{lc, &c.netIn}
	c.w.dst = countingWriter{lc, &c.netOut}
	c.lc.Store(lc)
}

// onLoop runs f on the client's loop, unless the loop has stopped or the
// connection has closed by then.
func (c *client) onLoop(f func()) {
	if lc := c.lc.Load(); lc != nil {
		lc.l.post(func() {
			if !lc.closed {
				f()
			}
		})
	}
}

// process executes every complete command received, in order, and has
// all their replies written with one write at the end of the loop's
// iteration (queueFlush); it reports false when the connection must be
// closed. A client with more than outputBacklogMax of unsent
// output is paused: its input stays unread (in the reader, and in the
// socket, whose buffer then fills and holds the client back) until the
// socket drains.
func (c *client) process() bool {
	lc := c.lconn
	if c.closeIdle.Load() || c.gone.Load() {
		return false
	}
	if c.block.Load() != nil {
		return true // input waits in the reader until the answer
	}
	if lc.outbound() > outputBacklogMax {
		lc.pause()
		return true
	}
	if !c.runBatch() || c.closeIdle.Load() {
		_ = c.w.flush()
		return false
	}
	lc.queueFlush()
	return true
}

// endLoop runs on the loop when a loop client's connection is closed.
func (c *client) endLoop() {
	if c.gone.Swap(true) {
		return
	}
	c.cancelBlock()
	if c.sub != nil {
		c.sub.Close() // ends the forwarder, which the server's wg tracks
	}
	c.s.removeClient(c)
}

// closeIdleClients closes loop clients idle for longer than the idle
// timeout (goroutine clients use read deadlines instead). Subscribers and
// clients waiting in a blocking command are exempt, as in Redis.
func (s *Server) closeIdleClients() {
	defer s.wg.Done()
	t := time.NewTicker(idleCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-t.C:
			idle := s.idle.Load()
			if idle <= 0 {
				continue
			}
			for c := range s.snapshotClients() {
				if c.looped && c.nsub.Load()+c.npsub.Load() == 0 && c.block.Load() == nil && now.UnixNano()-c.lastActive.Load() > idle {
					c.close()
				}
			}
		}
	}
}
