package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
	"github.com/isa-cloud/isa-memstore/internal/conformance"
)

// binary is the isa-memstore executable built once for the tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "isa-memstore-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "isa-memstore")
	build := exec.Command("go", "build", "-race", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		// -race needs cgo; fall back to a plain build.
		build = exec.Command("go", "build", "-o", binary, ".")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			panic("building isa-memstore: " + err.Error())
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// lockedBuffer collects a process's stderr.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// proc is a running isa-memstore.
type proc struct {
	cmd    *exec.Cmd
	addr   string
	stderr *lockedBuffer
	done   chan error
}

var listening = regexp.MustCompile(`^isa-memstore \S+ listening on (\S+)$`)

// start runs the binary with args (plus env) and waits for its
// "listening on" line. The process is killed at cleanup if still running.
func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{stderr: &lockedBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(binary, args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = p.stderr
	out, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case line, ok := <-lines:
		require.True(t, ok, "isa-memstore exited before listening; stderr:\n%s", p.stderr.String())
		m := listening.FindStringSubmatch(line)
		require.NotNil(t, m, "unexpected first line %q", line)
		p.addr = m[1]
	case <-time.After(30 * time.Second):
		t.Fatalf("isa-memstore did not start; stderr:\n%s", p.stderr.String())
	}
	return p
}

// stop sends sig and returns the exit code.
func (p *proc) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(sig))
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("isa-memstore did not exit after %v; stderr:\n%s", sig, p.stderr.String())
	}
	return p.cmd.ProcessState.ExitCode()
}

func dial(t *testing.T, addr string) *grpc.ClientConn {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.UseCompressor(gzip.Name)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// runBinary runs the binary to completion (for flags that exit at once).
func runBinary(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx := testCtx(t)
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if err != nil {
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

// TestBinaryLifecycle: the binary starts on 127.0.0.1:0, serves health and
// RedisService, and on SIGTERM with a Subscribe stream open ends the
// stream cleanly and exits 0.
func TestBinaryLifecycle(t *testing.T) {
	p := start(t, nil, "--addr", "127.0.0.1:0", "--log-format", "json")
	conn := dial(t, p.addr)
	ctx := testCtx(t)

	h, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: "redis-service"})
	require.NoError(t, err)
	assert.Equal(t, healthpb.HealthCheckResponse_SERVING, h.Status)

	c := pb.NewRedisServiceClient(conn)
	_, err = c.Set(ctx, &pb.SetRequest{UserId: "u", Key: "k", Value: "v"})
	require.NoError(t, err)
	got, err := c.Get(ctx, &pb.GetRequest{UserId: "u", Key: "k"})
	require.NoError(t, err)
	assert.Equal(t, "v", got.Value)

	stream, err := c.Subscribe(ctx, &pb.SubscribeRequest{UserId: "u", Channels: []string{"ch"}})
	require.NoError(t, err)
	_, err = stream.Header()
	require.NoError(t, err)
	pub, err := c.Publish(ctx, &pb.PublishRequest{UserId: "u", Channel: "ch", Message: "m"})
	require.NoError(t, err)
	assert.Equal(t, int32(1), pub.SubscriberCount)
	m, err := stream.Recv()
	require.NoError(t, err)
	assert.Equal(t, "m", m.Message)

	assert.Equal(t, 0, p.stop(t, syscall.SIGTERM), "stderr:\n%s", p.stderr.String())
	_, err = stream.Recv()
	assert.Equal(t, io.EOF, err, "the subscriber gets a clean end")
	logs := p.stderr.String()
	assert.Contains(t, logs, `"msg":"isa-memstore started"`)
	assert.Contains(t, logs, `"msg":"shutting down"`)
	assert.Contains(t, logs, `"msg":"stopped"`)
	assert.NotContains(t, logs, "graceful stop timed out")
}

func TestBinarySIGINT(t *testing.T) {
	p := start(t, nil, "--addr=127.0.0.1:0")
	assert.Equal(t, 0, p.stop(t, os.Interrupt))
}

func TestBinaryConformance(t *testing.T) {
	p := start(t, nil, "--addr", "127.0.0.1:0", "--log-level", "error")
	conformance.Run(t, p.addr)
	assert.Equal(t, 0, p.stop(t, syscall.SIGTERM))
}

func TestBinaryToken(t *testing.T) {
	const token = "binary-secret"
	p := start(t, []string{"ISA_MEMSTORE_TOKEN=" + token}, "--addr", "127.0.0.1:0")
	assert.NotContains(t, p.stderr.String(), token, "the token is never printed")
	conn := dial(t, p.addr)
	ctx := testCtx(t)
	c := pb.NewRedisServiceClient(conn)
	_, err := c.Get(ctx, &pb.GetRequest{UserId: "u", Key: "k"})
	assert.Equal(t, codes.Unauthenticated, status.Code(err))
	authed := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	_, err = c.Get(authed, &pb.GetRequest{UserId: "u", Key: "k"})
	assert.NoError(t, err)
	_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: "redis-service"})
	assert.NoError(t, err, "health stays open")
	assert.Equal(t, 0, p.stop(t, syscall.SIGTERM))
	assert.NotContains(t, p.stderr.String(), token)
}

func TestBinaryConsul(t *testing.T) {
	f := newFakeConsul(t, false)
	p := start(t, nil, "--addr", "127.0.0.1:0", "--consul-addr", f.addr())
	f.await(t)
	body, _ := f.state()
	_, port, _ := strings.Cut(p.addr, ":")
	assert.Equal(t, "redis-grpc-service", body["Name"])
	assert.Equal(t, "127.0.0.1:"+port+"/redis-service", body["Check"].(map[string]any)["GRPC"])
	assert.Equal(t, 0, p.stop(t, syscall.SIGTERM))
	_, gone := f.state()
	assert.Equal(t, []string{"redis-grpc-service-127.0.0.1-" + port}, gone, "deregistered at shutdown")
}

func TestBinaryConsulUnreachable(t *testing.T) {
	f := newFakeConsul(t, true)
	_, stderr, code := runBinary(t, nil, "--addr", "127.0.0.1:0", "--consul-addr", f.addr())
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "consul: registering")
}

func TestBinaryFlags(t *testing.T) {
	out, _, code := runBinary(t, nil, "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "Usage:")
	assert.Contains(t, out, "ISA_MEMSTORE_ADDR")

	out, _, code = runBinary(t, nil, "--version")
	assert.Equal(t, 0, code)
	assert.Regexp(t, `^isa-memstore \S+\n$`, out)

	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{args: []string{"--no-such-flag"}, want: "flag provided but not defined"},
		{args: []string{"--max-elements", "many"}, want: "invalid value"},
		{args: []string{"extra"}, want: "unexpected argument"},
		{env: []string{"ISA_MEMSTORE_LOG_FORMAT=xml"}, want: "ISA_MEMSTORE_LOG_FORMAT"},
	} {
		_, stderr, code := runBinary(t, tc.env, tc.args...)
		assert.Equal(t, 2, code, "%v %v", tc.args, tc.env)
		assert.Contains(t, stderr, tc.want)
		assert.Contains(t, stderr, "Run 'isa-memstore --help' for usage.")
	}

	// A listen failure is a clear error and exit 1.
	_, stderr, code := runBinary(t, nil, "--addr", "256.0.0.1:0")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "isa-memstore failed")
	_, stderr, code = runBinary(t, nil, "--addr", "127.0.0.1:0", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "loading TLS certificate")
}
