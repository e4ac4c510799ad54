package grpcserver

import (
	"net"
	"sync"
	"sync/atomic"
)

// connCounter counts connections at the listener: accepted ever and open
// now (GetStatistics' connections_received, HealthCheck's
// connected_clients). Counting at Accept/Close costs nothing per RPC, unlike
// a gRPC stats handler, which sees every message.
type connCounter struct {
	total atomic.Int64
	open  atomic.Int64
}

func (c *connCounter) listener(l net.Listener) net.Listener { return &countingListener{l, c} }

type countingListener struct {
	net.Listener
	c *connCounter
}

func (l *countingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.c.total.Add(1)
	l.c.open.Add(1)
	return &countedConn{Conn: conn, c: l.c}, nil
}

type countedConn struct {
	net.Conn
	c    *connCounter
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.c.open.Add(-1) })
	return c.Conn.Close()
}
