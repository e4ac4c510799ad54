package main

import (
	"bufio"
	"errors"
	"net"
	"strconv"
	"sync"
)

// noopResp is the least a RESP server can do for the network comparison's
// traffic: it parses each command and answers SET with +OK and GET with a
// fixed value, storing nothing. go-redis against it measures the ceiling
// of any server with this client on this machine: what is left of the
// loopback round trips once the server's own work is gone.
type noopResp struct {
	l     net.Listener
	value []byte // GET's reply, preformatted as a bulk string
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// startNoopResp serves a noopResp on a free 127.0.0.1 port whose GETs
// answer value.
func startNoopResp(value string) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	s := &noopResp{l: l, conns: map[net.Conn]struct{}{},
		value: []byte("$" + strconv.Itoa(len(value)) + "\r\n" + value + "\r\n")}
	s.wg.Add(1)
	go s.accept()
	return l.Addr().String(), s.stop, nil
}

func (s *noopResp) accept() {
	defer s.wg.Done()
	for {
		c, err := s.l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go s.serve(c)
	}
}

func (s *noopResp) stop() {
	_ = s.l.Close()
	s.mu.Lock()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// serve answers one connection's commands; replies are flushed when no
// further request is already buffered, so pipelined requests share a write
// as they do in a real server.
func (s *noopResp) serve(c net.Conn) {
	defer s.wg.Done()
	defer c.Close()
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	var name []byte
	for {
		n, err := readHeader(r, '*')
		if err != nil {
			return
		}
		for i := range n {
			arg, err := readBulk(r)
			if err != nil {
				return
			}
			if i == 0 {
				name = append(name[:0], arg...)
			}
		}
		switch string(name) {
		case "set", "SET":
			_, _ = w.WriteString("+OK\r\n")
		case "get", "GET":
			_, _ = w.Write(s.value)
		default:
			// HELLO and the like: go-redis then speaks RESP2 without
			// them, as it does with servers that lack them.
			_, _ = w.WriteString("-ERR unknown command\r\n")
		}
		if r.Buffered() == 0 {
			if w.Flush() != nil {
				return
			}
		}
	}
}

var errBadRESP = errors.New("noop RESP server: malformed request")

// readHeader reads a "<kind><n>\r\n" line and returns n.
func readHeader(r *bufio.Reader, kind byte) (int, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 3 || line[0] != kind || line[len(line)-2] != '\r' {
		return 0, errBadRESP
	}
	n, err := strconv.Atoi(string(line[1 : len(line)-2]))
	if err != nil || n < 0 {
		return 0, errBadRESP
	}
	return n, nil
}

// readBulk reads one bulk string argument; the slice is valid until the
// next read.
func readBulk(r *bufio.Reader) ([]byte, error) {
	n, err := readHeader(r, '$')
	if err != nil {
		return nil, err
	}
	b, err := r.Peek(n + 2)
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			// Longer than the buffer: not this benchmark's traffic.
			return nil, errBadRESP
		}
		return nil, err
	}
	if _, err := r.Discard(n + 2); err != nil {
		return nil, err
	}
	if b[n] != '\r' || b[n+1] != '\n' {
		return nil, errBadRESP
	}
	return b[:n], nil
}
