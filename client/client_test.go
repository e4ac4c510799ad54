package client

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestDefaultsAndTenant(t *testing.T) {
	f, lis := serveFake(t)
	c := NewFromConn(dialFake(t, lis).conn.cc) // no options: the defaults
	_, err := c.Get(testCtx(t), "k")
	require.ErrorIs(t, err, Nil)
	require.True(t, proto.Equal(&pb.GetRequest{UserId: DefaultUser, Key: "k"}, f.lastRequest()), "%v", f.lastRequest())
	require.Equal(t, DefaultUser, c.User())
	require.Empty(t, c.Organization())

	other := c.ForTenant("u2", "o2")
	require.Equal(t, "u2", other.User())
	require.Equal(t, "o2", other.Organization())
	require.NoError(t, other.Set(testCtx(t), "k", "v"))
	require.True(t, proto.Equal(&pb.SetRequest{UserId: "u2", OrganizationId: "o2", Key: "k", Value: "v"}, f.lastRequest()))
	require.Equal(t, DefaultUser, c.User(), "the original keeps its tenant")
}

func TestForTenantCloseKeepsConnection(t *testing.T) {
	_, c := startFake(t)
	require.NoError(t, c.ForTenant("u2", "").Close())
	require.NoError(t, c.Set(testCtx(t), "k", "v"), "closing a derived client must not close the shared connection")
	require.NoError(t, c.Close())
	err := c.Set(testCtx(t), "k", "v")
	require.Equal(t, codes.Canceled, status.Code(err), "calls after Close fail: %v", err)
}

func TestTarget(t *testing.T) {
	for _, tc := range []struct {
		name, env, target string
		want              []string // any of
	}{
		{"default", "", "", []string{"127.0.0.1:50055", "[::1]:50055"}}, // localhost, resolved
		{"env overrides the default", "passthrough:///from-env:1", "", []string{"from-env:1"}},
		{"explicit target wins over env", "passthrough:///from-env:1", "passthrough:///explicit:2", []string{"explicit:2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(AddrEnv, tc.env)
			if tc.env == "" {
				require.NoError(t, os.Unsetenv(AddrEnv))
			}
			_, lis := serveFake(t)
			dialed := make(chan string, 1)
			c, err := New(tc.target, WithDialOptions(grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
				select {
				case dialed <- addr:
				default:
				}
				return lis.DialContext(ctx)
			})))
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })
			require.NoError(t, c.Set(testCtx(t), "k", "v"))
			require.Contains(t, tc.want, <-dialed)
		})
	}
}

func TestConn(t *testing.T) {
	f, c := startFake(t, WithRetries(3, time.Millisecond, time.Millisecond))
	f.on("Get", failFirst(1, &pb.GetResponse{Found: true, Value: "v"}))
	r, err := pb.NewRedisServiceClient(c.Conn()).Get(testCtx(t), &pb.GetRequest{UserId: "raw", Key: "k"})
	require.NoError(t, err, "retried like the client's own calls")
	require.Equal(t, "v", r.GetValue())
	require.Equal(t, 2, f.count("Get"))
	f.on("Set", fail(codes.FailedPrecondition, "WRONGTYPE Operation against a key holding the wrong kind of value"))
	_, err = pb.NewRedisServiceClient(c.Conn()).Set(testCtx(t), &pb.SetRequest{UserId: "raw"})
	require.ErrorIs(t, err, ErrWrongType, "errors are *Error")
}
