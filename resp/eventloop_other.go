//go:build !linux

package resp

import (
	"errors"
	"net"
	"time"
)

// Event loops use epoll; elsewhere every connection is served by a
// goroutine of its own. These definitions only let the shared code
// compile: startLoops never creates a loop here.
const loopsSupported = false

type eventLoop struct{ now int64 }

type loopConn struct {
	l      *eventLoop
	fd     int
	closed bool
}

func newEventLoop(time.Duration) (*eventLoop, error) {
	return nil, errors.New("resp: no event loops on this platform")
}

func (l *eventLoop) post(func()) bool                  { return false }
func (l *eventLoop) stop()                             {}
func (l *eventLoop) adopt(_ *client, nc net.Conn) bool { _ = nc.Close(); return false }
func (lc *loopConn) Read([]byte) (int, error)          { return 0, net.ErrClosed }
func (lc *loopConn) Write([]byte) (int, error)         { return 0, net.ErrClosed }
func (lc *loopConn) outbound() int                     { return 0 }
func (lc *loopConn) pause()                            {}
func (lc *loopConn) queueFlush()                       {}
func (lc *loopConn) close()                            {}
