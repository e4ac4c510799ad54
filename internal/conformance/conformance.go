// Package conformance is a reusable black-box test suite for a
// RedisService server: it replays what the existing clients rely on
// (shared/spec/redis-service.md section 6) and the behaviour contract of
// section 5 over a real connection. Any server speaking the API can be
// checked with it: the isa-memstore binary, an in-process grpcserver, later
// the Redis-backed server.
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, "127.0.0.1:50055")
//	}
//
// Every case uses tenants of its own (random ids), so the suite can run
// against a server that holds other data, and cases run in parallel.
// Cases whose RPCs the server answers UNIMPLEMENTED are skipped with a
// message naming the RPC, so a partial server shows up loudly, not as a
// failure of an unrelated case.
package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/status"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// callTimeout bounds every case, so a hung server fails instead of hanging.
const callTimeout = 30 * time.Second

// Config describes what the suite may expect of a target beyond the
// common contract. The zero Config is the embedded engine's.
type Config struct {
	// RejectsAmbiguousIDs says the target keeps its data in the legacy
	// Redis key layout, org-{org}:user-{user}:{key} (spec section 5.1),
	// and so refuses, with INVALID_ARGUMENT, every user or organization id
	// containing one of AmbiguousIDChars, naming each refused id (Go-quoted,
	// strconv.Quote) and its offending characters (Go rune literals,
	// strconv.QuoteRune) in the message. The tenancy cases then assert
	// that refusal for every RPC, and that nothing was written, instead of
	// the isolation of such tenants (which a target keeping tenants in
	// separate keyspaces, the embedded engine, must give).
	RejectsAmbiguousIDs bool
}

// AmbiguousIDChars are the characters that make the legacy Redis key
// layout ambiguous: the separator, the hash-tag braces and the glob
// metacharacters (spec section 5.1).
const AmbiguousIDChars = ":{}*?[]\\"

// Run runs the suite against the server at target with the zero Config
// (a target that accepts every id). Without dialOpts it connects in
// plaintext and gzips every request, as the existing Python clients do;
// dialOpts are appended (so they can replace the transport credentials or
// add per-call credentials).
func Run(t *testing.T, target string, dialOpts ...grpc.DialOption) {
	RunWith(t, target, Config{}, dialOpts...)
}

// RunWith is Run for a target described by cfg.
func RunWith(t *testing.T, target string, cfg Config, dialOpts ...grpc.DialOption) {
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.UseCompressor(gzip.Name)),
	}, dialOpts...)
	conn, err := grpc.NewClient(target, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	s := &suite{conn: conn, c: pb.NewRedisServiceClient(conn), cfg: cfg}
	// One enclosing subtest: t.Run returns only when all its parallel
	// subtests are done, so Run's caller may stop the server afterwards.
	t.Run("conformance", func(t *testing.T) { s.run(t) })
}

func (s *suite) run(t *testing.T) {
	for _, group := range []struct {
		name  string
		cases map[string]func(*testing.T, *suite)
	}{
		{"Service", serviceCases},
		{"Identity", identityCases},
		{"Strings", stringCases},
		{"Keys", keyCases},
		{"Hashes", hashCases},
		{"Lists", listCases},
		{"Sets", setCases},
		{"SortedSets", zsetCases},
		{"Locks", lockCases},
		{"PubSub", pubsubCases},
		{"Batch", batchCases},
		{"Sessions", sessionCases},
		{"Info", infoCases},
		{"Tenancy", tenancyCases},
	} {
		t.Run(group.name, func(t *testing.T) {
			t.Parallel()
			for name, fn := range group.cases {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					fn(t, s)
				})
			}
		})
	}
}

// suite is the connection the cases share.
type suite struct {
	conn *grpc.ClientConn
	c    pb.RedisServiceClient
	cfg  Config
}

// tenant is a caller identity, fresh for each case.
type tenant struct {
	Org, User string
}

// newTenant returns a tenant no other case (or earlier run) uses.
func newTenant(t *testing.T) tenant {
	return tenant{Org: "conf-org-" + randomHex(t), User: "conf-user-" + randomHex(t)}
}

func randomHex(t *testing.T) string {
	b := make([]byte, 8)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// ctx is a context that ends with the case or after callTimeout.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), callTimeout)
	t.Cleanup(cancel)
	return c
}

// must fails the case on err, but skips it when the server answers
// UNIMPLEMENTED: the server does not offer that RPC yet.
func must(t *testing.T, rpc string, err error) {
	t.Helper()
	if status.Code(err) == codes.Unimplemented {
		t.Skipf("SKIPPED: the server does not implement %s yet (%v)", rpc, err)
	}
	require.NoError(t, err, rpc)
}

// wantCode asserts err is a status with code c whose message contains msg;
// UNIMPLEMENTED skips as in must.
func wantCode(t *testing.T, rpc string, err error, c codes.Code, msg string) {
	t.Helper()
	if status.Code(err) == codes.Unimplemented {
		t.Skipf("SKIPPED: the server does not implement %s yet (%v)", rpc, err)
	}
	require.Error(t, err, rpc)
	st := status.Convert(err)
	require.Equal(t, c, st.Code(), "%s: %s", rpc, st.Message())
	require.True(t, strings.Contains(st.Message(), msg), "%s: message %q lacks %q", rpc, st.Message(), msg)
}
