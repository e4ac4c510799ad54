package grpcserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
	"github.com/isa-cloud/isa-memstore/internal/testcert"
)

// bearer is per-call credentials that send a token over plaintext (only
// for tests over bufconn).
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}
func (bearer) RequireTransportSecurity() bool { return false }

func TestBearerToken(t *testing.T) {
	const token = "s3cret-token"
	h := newHarness(t, Options{Token: token})
	ctx := testCtx(t)

	_, err := h.client.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
	requireCode(t, err, codes.Unauthenticated, "missing bearer token")

	for _, header := range []string{"Bearer wrong", "Bearer " + token + "x", "Basic " + token, token, "Bearer"} {
		md := metadata.Pairs("authorization", header)
		_, err = h.client.Get(metadata.NewOutgoingContext(ctx, md), &pb.GetRequest{UserId: user, Key: "k"})
		require.Error(t, err, "header %q", header)
		requireCode(t, err, codes.Unauthenticated, "bearer token")
	}

	good := pb.NewRedisServiceClient(h.dial(t, grpc.WithPerRPCCredentials(bearer(token))))
	_, err = good.Set(ctx, &pb.SetRequest{UserId: user, Key: "k", Value: "v"})
	require.NoError(t, err)
	md := metadata.Pairs("authorization", "bearer "+token) // the scheme is case-insensitive
	_, err = h.client.Get(metadata.NewOutgoingContext(ctx, md), &pb.GetRequest{UserId: user, Key: "k"})
	require.NoError(t, err)

	// Health and reflection stay open.
	r, err := healthpb.NewHealthClient(h.conn).Check(ctx, &healthpb.HealthCheckRequest{Service: HealthService})
	require.NoError(t, err)
	assert.Equal(t, healthpb.HealthCheckResponse_SERVING, r.Status)
	stream, err := rpb.NewServerReflectionClient(h.conn).ServerReflectionInfo(ctx)
	require.NoError(t, err)
	require.NoError(t, stream.Send(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{}}))
	_, err = stream.Recv()
	require.NoError(t, err)
	require.NoError(t, stream.CloseSend())
}

func TestTLS(t *testing.T) {
	cert := testcert.New(t, "127.0.0.1", "localhost")
	pool := cert.Pool
	const token = "tls-token"
	h := newHarness(t, Options{TLS: &tls.Config{Certificates: []tls.Certificate{cert.TLS}}, Token: token},
		grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(pool, "localhost")),
		grpc.WithPerRPCCredentials(bearer(token)))
	ctx := testCtx(t)
	_, err := h.client.Set(ctx, &pb.SetRequest{UserId: user, Key: "k", Value: "v"})
	require.NoError(t, err)

	// Plaintext is refused at the transport.
	plain := pb.NewRedisServiceClient(h.dial(t))
	_, err = plain.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
	requireCode(t, err, codes.Unavailable, "")

	// So is TLS to a server the client does not trust.
	untrusted := pb.NewRedisServiceClient(h.dial(t, grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(x509.NewCertPool(), "localhost"))))
	_, err = untrusted.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
	requireCode(t, err, codes.Unavailable, "")

	// TLS without the token is refused by the token check.
	noToken := pb.NewRedisServiceClient(h.dial(t, grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(pool, "localhost"))))
	_, err = noToken.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
	requireCode(t, err, codes.Unauthenticated, "missing bearer token")
}
