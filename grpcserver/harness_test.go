package grpcserver

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/ttl"
)

// TestMain fails the package when a test leaves a goroutine behind: every
// server, connection and engine must be closed.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness is a Server over an engine with a manual clock, reached through
// bufconn (no network) by a client.
type harness struct {
	srv    *Server
	eng    *engine.Engine
	clock  *ttl.Manual
	lis    *bufconn.Listener
	client pb.RedisServiceClient
	conn   *grpc.ClientConn
	logs   *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lines are the log lines written so far.
func (s *syncBuffer) lines() []string {
	return strings.Split(strings.TrimSpace(s.String()), "\n")
}

// newHarness starts a server with opts (Logger replaced by a JSON logger
// into h.logs at debug level unless set) and dials it.
func newHarness(t *testing.T, opts Options, dial ...grpc.DialOption) *harness {
	t.Helper()
	clock := ttl.NewManual(time.Time{})
	eng, err := engine.Open(engine.Options{Clock: clock})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, eng.Close()) })
	h := newBackendHarness(t, NewEngineBackend(eng), opts, dial...)
	h.eng, h.clock = eng, clock
	return h
}

// newBackendHarness is newHarness over any Backend (h.eng and h.clock nil).
func newBackendHarness(t *testing.T, b Backend, opts Options, dial ...grpc.DialOption) *harness {
	t.Helper()
	h := &harness{logs: &syncBuffer{}}
	var err error
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	h.srv, err = New(b, opts)
	require.NoError(t, err)
	h.lis = bufconn.Listen(1 << 20)
	served := make(chan error, 1)
	go func() { served <- h.srv.Serve(h.lis) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.srv.Shutdown(ctx)
		require.NoError(t, <-served)
	})
	h.conn = h.dial(t, dial...)
	h.client = pb.NewRedisServiceClient(h.conn)
	return h
}

// dial opens another client connection to the harness's server; plaintext
// unless dial says otherwise.
func (h *harness) dial(t *testing.T, dial ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return h.lis.DialContext(ctx) }),
	}, dial...)
	conn, err := grpc.NewClient("passthrough:///bufnet", opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// testCtx is a context bounded so that a hung call fails the test.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// requireCode asserts err is a status with code c whose message contains
// msg.
func requireCode(t *testing.T, err error, c codes.Code, msg string) {
	t.Helper()
	require.Error(t, err)
	st, ok := status.FromError(err)
	require.True(t, ok, "not a status: %v", err)
	require.Equal(t, c, st.Code(), "message: %s", st.Message())
	require.Contains(t, st.Message(), msg)
}

// Tenants used across the tests.
const (
	org  = "org-001"
	user = "user-001"
)
