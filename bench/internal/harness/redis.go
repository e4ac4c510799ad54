package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNoRedis is returned by StartRedis when redis-server is not installed.
var ErrNoRedis = errors.New("redis-server not found in PATH (Debian: apt-get install redis-server)")

// Redis is a throwaway redis-server on 127.0.0.1 without persistence,
// started and stopped by the comparison program itself.
type Redis struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	cmd  *exec.Cmd
	// exited is closed when the process has exited (waitErr is then set),
	// so that Stop can be called any number of times.
	exited  chan struct{}
	waitErr error
}

// StartRedis starts redis-server on a free 127.0.0.1 port with nothing
// saved to disk, plus extra arguments (e.g. "--io-threads", "1"), and waits
// up to 10 s for it to answer PING. The server is killed if this process
// dies, so an interrupted run leaves nothing behind.
func StartRedis(extra ...string) (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNoRedis
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	args := append([]string{
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--dir", "/tmp", "--logfile", "",
		"--loglevel", "warning",
	}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	r := &Redis{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), cmd: cmd, exited: make(chan struct{})}
	go func() { r.waitErr = cmd.Wait(); close(r.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := r.Command("PING"); err == nil {
			return r, nil
		}
		select {
		case <-r.exited:
			return nil, fmt.Errorf("redis-server exited at start: %v", r.waitErr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = r.Stop()
			return nil, fmt.Errorf("redis-server on %s did not answer PING within 10s", r.Addr)
		}
	}
}

// Stop terminates the server (SIGTERM, then SIGKILL after 5 s) and waits
// for it to exit. It may be called more than once.
func (r *Redis) Stop() error {
	if r == nil {
		return nil
	}
	select {
	case <-r.exited:
		return nil
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
		return nil
	case <-time.After(5 * time.Second):
	}
	_ = r.cmd.Process.Kill()
	<-r.exited
	return nil
}

// PID is the server's process id.
func (r *Redis) PID() int { return r.cmd.Process.Pid }

// Command sends one command in RESP over a fresh connection and returns the
// raw first reply line plus, for a bulk reply, its body. It exists so that
// the harness can ping and ask INFO without a client library; comparisons
// use go-redis for real traffic.
func (r *Redis) Command(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", r.Addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	var req strings.Builder
	fmt.Fprintf(&req, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&req, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(req.String())); err != nil {
		return "", err
	}
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	switch {
	case strings.HasPrefix(line, "-"):
		return "", errors.New(line[1:])
	case strings.HasPrefix(line, "$"):
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		body := make([]byte, n+2)
		if _, err := io.ReadFull(br, body); err != nil {
			return "", err
		}
		return string(body[:n]), nil
	}
	return strings.TrimPrefix(strings.TrimPrefix(line, "+"), ":"), nil
}

// Info returns one numeric field of INFO (e.g. "used_memory").
func (r *Redis) Info(section, field string) (int64, error) {
	body, err := r.Command("INFO", section)
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(body, "\r\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("INFO %s has no %s", section, field)
}

// FreePort asks the kernel for a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
