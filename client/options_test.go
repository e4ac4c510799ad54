package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/stats"
	"google.golang.org/protobuf/proto"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
	"github.com/isa-cloud/isa-memstore/internal/testcert"
)

// compressionSeen records the compression of incoming requests.
type compressionSeen struct {
	mu   sync.Mutex
	seen []string
}

func (s *compressionSeen) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context {
	return ctx
}
func (s *compressionSeen) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}
func (s *compressionSeen) HandleConn(context.Context, stats.ConnStats) {}
func (s *compressionSeen) HandleRPC(_ context.Context, st stats.RPCStats) {
	if h, ok := st.(*stats.InHeader); ok {
		s.mu.Lock()
		s.seen = append(s.seen, h.Compression)
		s.mu.Unlock()
	}
}

func TestGzip(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
		want string
	}{
		{"off by default", nil, ""},
		{"on", []Option{WithGzip(true)}, "gzip"},
		{"off", []Option{WithGzip(true), WithGzip(false)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := &compressionSeen{}
			_, lis := serveFake(t, grpc.StatsHandler(seen))
			c := dialFake(t, lis, tc.opts...)
			require.NoError(t, c.Set(testCtx(t), "k", "v"))
			seen.mu.Lock()
			defer seen.mu.Unlock()
			require.Equal(t, []string{tc.want}, seen.seen)
		})
	}
}

func TestBearerToken(t *testing.T) {
	t.Run("insecure opt-in sends it in plaintext", func(t *testing.T) {
		f, c := startFake(t, WithInsecureBearerToken("s3cret"))
		require.NoError(t, c.Set(testCtx(t), "k", "v"))
		require.Equal(t, []string{"Bearer s3cret"}, f.lastMetadata().Get("authorization"))
	})
	t.Run("refused over plaintext without the opt-in", func(t *testing.T) {
		f, c := startFake(t, WithBearerToken("s3cret"))
		err := c.Set(testCtx(t), "k", "v")
		require.ErrorIs(t, err, ErrUnauthenticated)
		require.Zero(t, f.count("Set"), "the token must not have been sent")
	})
	t.Run("sent over TLS", func(t *testing.T) {
		srvTLS, caFile := testTLS(t)
		f, lis := serveFake(t, grpc.Creds(credentials.NewTLS(srvTLS)))
		pool := x509.NewCertPool()
		pem, err := os.ReadFile(caFile)
		require.NoError(t, err)
		require.True(t, pool.AppendCertsFromPEM(pem))
		for name, tlsOpt := range map[string]Option{
			"WithTLS":         WithTLS(&tls.Config{RootCAs: pool, ServerName: "memstore.test", MinVersion: tls.VersionTLS12}),
			"WithTLSCertFile": WithTLSCertFile(caFile, "memstore.test"),
		} {
			c := dialFake(t, lis, tlsOpt, WithBearerToken("tok"))
			require.NoError(t, c.Set(testCtx(t), "k", "v"), name)
			require.Equal(t, []string{"Bearer tok"}, f.lastMetadata().Get("authorization"), name)
		}
		// Without TLS the TLS server is unreachable: the client must not
		// silently fall back to plaintext.
		plain := dialFake(t, lis, WithRetries(1, 0, 0))
		require.ErrorIs(t, plain.Set(testCtx(t), "k", "v"), ErrUnavailable)
	})
}

func TestBadOptions(t *testing.T) {
	_, err := New("x:1", WithTLS(&tls.Config{MinVersion: tls.VersionTLS12}), WithTLSCertFile("ca.pem", ""))
	require.Error(t, err)
	_, err = New("x:1", WithTLSCertFile(filepath.Join(t.TempDir(), "missing.pem"), ""))
	require.Error(t, err)
}

func TestTimeout(t *testing.T) {
	deadlines := make(chan time.Duration, 1)
	f, c := startFake(t, WithTimeout(50*time.Millisecond))
	block := func(ctx context.Context, _ proto.Message) (proto.Message, error) {
		dl, _ := ctx.Deadline()
		deadlines <- time.Until(dl)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	f.on("Get", block)
	_, err := c.Get(context.Background(), "k")
	require.ErrorIs(t, err, context.DeadlineExceeded, "the default timeout applies without a deadline")
	require.LessOrEqual(t, <-deadlines, 50*time.Millisecond)

	f.on("Get", func(ctx context.Context, _ proto.Message) (proto.Message, error) {
		dl, _ := ctx.Deadline()
		deadlines <- time.Until(dl)
		return &pb.GetResponse{Found: true, Value: "v"}, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := c.Get(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "v", v)
	require.Greater(t, <-deadlines, time.Second, "the caller's own deadline is kept")
}

// testTLS makes a self-signed certificate for "memstore.test" and returns
// a server TLS config with it and the path of its PEM file.
func testTLS(t *testing.T) (*tls.Config, string) {
	t.Helper()
	cert := testcert.New(t, "memstore.test")
	file := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(file, cert.PEM, 0o600))
	return &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS12}, file
}
