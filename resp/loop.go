package resp

import (
	"context"
	"log"
	"net"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// Connections are served by event loops (gnet) rather than a goroutine
// each: with one goroutine per connection, every request costs a netpoll
// wake-up, a goroutine switch and a read and a write system call on its
// own, which on a small machine is about 1.5x Redis's CPU per request. An
// event loop serves all the connections that are ready after one
// epoll_wait, without scheduling anything.
//
// Server.Serve keeps its own accept loop over the net.Listener it is given
// (so that any listener, port 0 included, works) and hands each accepted
// TCP or Unix connection to the loops (gnet's Client.Enroll duplicates the
// descriptor and closes the net.Conn). Connections the loops cannot adopt
// (a TLS listener, net.Pipe, ...) are served by a goroutine as before
// (client.serve).
//
// Everything a loop client owns (reader, writer, MULTI and subscription
// state) is touched only on its loop: commands run in OnTraffic, pub/sub
// messages are handed to the loop with EventLoop.Execute, and other
// goroutines only set atomic flags and ask the loop to act (Wake, Close)
// through Server.trigger.

const (
	// outputBacklogMax is how much unsent output a loop client may have
	// before the loop stops executing its commands (and, for a subscriber,
	// delivering its messages) until the client reads. It stands for the
	// socket buffer a goroutine-served client would block on: without it a
	// client that pipelines without reading would make the server buffer
	// replies without bound.
	outputBacklogMax = 1 << 20
	// resumeMin and resumeMax bound the delay before a paused client's
	// backlog is looked at again (gnet tells nothing when a socket drains).
	resumeMin = time.Millisecond
	resumeMax = 50 * time.Millisecond
	// idleCheckEvery is how often idle loop clients are looked for (Redis
	// checks client timeouts in its cron at 10 Hz as well).
	idleCheckEvery = 100 * time.Millisecond
)

// loopConn holds a loop client's gnet connection so that it can be
// published atomically to other goroutines.
type loopConn struct{ gc gnet.Conn }

// loopHandler receives the event loops' callbacks.
type loopHandler struct {
	gnet.BuiltinEventEngine
	s *Server
}

// startLoops starts the event loops on first use; when they cannot be
// started, connections are served by goroutines.
func (s *Server) startLoops() {
	s.loopMu.Lock()
	defer s.loopMu.Unlock()
	if s.loops != nil || s.loopsStopped || s.opts.EventLoops < 0 {
		return
	}
	cli, err := gnet.NewClient(&loopHandler{s: s},
		gnet.WithNumEventLoop(s.opts.EventLoops),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithLogger(quietLogger{}))
	if err == nil {
		err = cli.Start()
	}
	if err != nil {
		log.Printf("resp: event loops unavailable, serving connections with goroutines: %v", err)
		s.loopsStopped = true
		return
	}
	s.loops = cli
	s.mu.Lock()
	s.wg.Add(1)
	s.mu.Unlock()
	go s.closeIdleClients()
}

// stopLoops stops the event loops once every loop client has ended.
func (s *Server) stopLoops() {
	s.loopMu.Lock()
	defer s.loopMu.Unlock()
	if s.loops != nil && !s.loopsStopped {
		_ = s.loops.Stop()
	}
	s.loopsStopped = true
}

// trigger runs f, which hands work to an event loop (Wake, Close,
// Execute), unless the loops are stopped: gnet must not be asked anything
// then (its wake-up descriptor is closed).
func (s *Server) trigger(f func() error) {
	s.loopMu.RLock()
	defer s.loopMu.RUnlock()
	if s.loops != nil && !s.loopsStopped {
		_ = f()
	}
}

// loopsRunning reports whether the event loops serve new connections.
func (s *Server) loopsRunning() bool {
	s.loopMu.RLock()
	defer s.loopMu.RUnlock()
	return s.loops != nil && !s.loopsStopped
}

// adoptable reports whether the event loops can take over nc: a socket
// whose descriptor gnet can duplicate.
func adoptable(nc net.Conn) bool {
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
		return true
	}
	return false
}

// enroll hands an accepted connection to the event loops; it reports false
// when they could not take it (the caller then serves it otherwise).
func (s *Server) enroll(c *client, nc net.Conn) bool {
	s.loopMu.RLock()
	defer s.loopMu.RUnlock()
	if s.loops == nil || s.loopsStopped {
		return false
	}
	if _, err := s.loops.EnrollContext(nc, c); err != nil {
		return false
	}
	// gnet closes a connection it failed to register without calling
	// OnOpen; the loop ran OnOpen (or not) before EnrollContext returned.
	return c.lc.Load() != nil
}

// OnOpen binds the client to its gnet connection.
func (h *loopHandler) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	c, ok := gc.Context().(*client)
	if !ok {
		return nil, gnet.Close
	}
	c.gc = gc
	c.fd.Store(int64(gc.Fd()))
	c.rd.src = countingReader{gc, &c.netIn}
	c.w.dst = countingWriter{gc, &c.netOut}
	c.lc.Store(&loopConn{gc: gc})
	// close and closeWhenIdle may have run before lc was set.
	if c.closed.Load() || c.closeIdle.Load() {
		return nil, gnet.Close
	}
	return nil, gnet.None
}

// OnClose ends the client: its subscription, its place in the server.
func (h *loopHandler) OnClose(gc gnet.Conn, _ error) gnet.Action {
	if c, ok := gc.Context().(*client); ok {
		c.endLoop()
	}
	return gnet.None
}

// OnTraffic executes every complete command received, in order, and writes
// all their replies with one write. It also runs on Wake (Shutdown, or a
// paused client being resumed) with no new input.
func (h *loopHandler) OnTraffic(gc gnet.Conn) gnet.Action {
	c, ok := gc.Context().(*client)
	if !ok {
		return gnet.Close
	}
	return c.onTraffic(gc)
}

func (c *client) onTraffic(gc gnet.Conn) gnet.Action {
	if c.closeIdle.Load() || c.gone.Load() {
		return gnet.Close
	}
	for {
		if gc.OutboundBuffered() > outputBacklogMax {
			// The client does not read its replies: leave its input
			// unread (within the query buffer limit) until it does.
			if pending := c.rd.w - c.rd.r + gc.InboundBuffered(); pending > 0 {
				if pending > c.rd.maxQuery {
					return gnet.Close
				}
				c.resumeLater(gc)
			}
			break
		}
		c.resume = 0
		if !c.runBatch() {
			_ = c.w.flush()
			return gnet.Close
		}
		if gc.OutboundBuffered() > outputBacklogMax {
			continue
		}
		if gc.InboundBuffered() == 0 {
			break
		}
		if err := c.rd.fill(); err != nil {
			return gnet.Close // query buffer limit: no reply, as Redis
		}
	}
	if c.w.flush() != nil || c.closeIdle.Load() {
		return gnet.Close
	}
	return gnet.None
}

// resumeLater wakes the client's loop after a while to look at its
// backlog again, backing off while it stays over the limit.
func (c *client) resumeLater(gc gnet.Conn) {
	if c.resumeArmed {
		return
	}
	c.resumeArmed = true
	c.resume = min(max(2*c.resume, resumeMin), resumeMax)
	time.AfterFunc(c.resume, func() {
		c.s.trigger(func() error {
			return gc.EventLoop().Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
				c.resumeArmed = false
				if !c.gone.Load() {
					_ = gc.Wake(nil)
				}
				return nil
			}))
		})
	})
}

// endLoop runs on the loop when a loop client's connection is closed.
func (c *client) endLoop() {
	if c.gone.Swap(true) {
		return
	}
	if c.sub != nil {
		c.sub.Close() // ends the forwarder, which the server's wg tracks
	}
	c.s.removeClient(c)
}

// closeIdleClients closes loop clients idle for longer than the idle
// timeout (goroutine clients use read deadlines instead).
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
				if c.looped && c.nsub.Load()+c.npsub.Load() == 0 && now.UnixNano()-c.lastActive.Load() > idle {
					c.close()
				}
			}
		}
	}
}

// quietLogger keeps gnet's diagnostics out of the embedding program's
// output, except errors.
type quietLogger struct{}

func (quietLogger) Debugf(string, ...any) {}
func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Errorf(format string, args ...any) {
	log.Printf("resp: event loop: "+format, args...)
}
func (quietLogger) Fatalf(format string, args ...any) {
	log.Printf("resp: event loop: "+format, args...)
}
