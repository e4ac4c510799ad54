package client

import (
	"crypto/tls"
	"time"

	"google.golang.org/grpc"
)

// Defaults used by New and NewFromConn.
const (
	// DefaultAddr is the target New dials when given "" and
	// ISA_MEMSTORE_ADDR is unset: the RedisService default port.
	DefaultAddr = "localhost:50055"
	// AddrEnv names the environment variable that overrides DefaultAddr.
	AddrEnv = "ISA_MEMSTORE_ADDR"
	// DefaultUser is the user id sent when WithUser is not given. The server
	// refuses an empty user id, so there is always one.
	DefaultUser = "default"
	// DefaultKeepalive is the interval between keepalive pings, as the
	// existing isA clients use; the server tolerates it without streams.
	DefaultKeepalive = 60 * time.Second
	// DefaultMaxAttempts is how many times an idempotent read is tried in
	// all when the server answers UNAVAILABLE.
	DefaultMaxAttempts = 4
	// DefaultRetryBase and DefaultRetryMax bound the exponential backoff
	// between those attempts.
	DefaultRetryBase = 50 * time.Millisecond
	DefaultRetryMax  = 2 * time.Second
	// MaxMessageBytes bounds messages both ways, as the existing clients do
	// (100 MiB); the server's own limit is lower.
	MaxMessageBytes = 100 << 20
)

// config is what the options set.
type config struct {
	user, org     string
	tls           *tls.Config
	caFile        string
	serverName    string
	token         string
	insecureToken bool
	gzip          bool
	timeout       time.Duration
	keepalive     time.Duration
	retry         retryPolicy
	dialOpts      []grpc.DialOption
	subBuffer     int
}

func defaultConfig() config {
	return config{
		user:      DefaultUser,
		keepalive: DefaultKeepalive,
		retry: retryPolicy{
			maxAttempts: DefaultMaxAttempts,
			base:        DefaultRetryBase,
			max:         DefaultRetryMax,
		},
		subBuffer: DefaultSubscriptionBuffer,
	}
}

// Option configures a Client. Options marked "dial only" are ignored by
// NewFromConn, whose connection is already set up.
type Option func(*config)

// WithUser sets the user id sent with every request (default DefaultUser).
// Together with the organization id it selects the tenant whose data the
// client sees.
func WithUser(id string) Option { return func(c *config) { c.user = id } }

// WithOrganization sets the organization id sent with every request
// (default empty, which the server accepts).
func WithOrganization(id string) Option { return func(c *config) { c.org = id } }

// WithTLS makes the connection use TLS with cfg (dial only).
func WithTLS(cfg *tls.Config) Option { return func(c *config) { c.tls = cfg } }

// WithTLSCertFile makes the connection use TLS, trusting the PEM
// certificate(s) in caFile; serverName, when not empty, overrides the name
// checked in the server's certificate (dial only).
func WithTLSCertFile(caFile, serverName string) Option {
	return func(c *config) { c.caFile, c.serverName = caFile, serverName }
}

// WithBearerToken sends "authorization: Bearer <token>" with every call.
// Such credentials require TLS: over a plaintext connection calls fail
// before anything is sent, unless WithInsecureBearerToken is used instead.
func WithBearerToken(token string) Option {
	return func(c *config) { c.token, c.insecureToken = token, false }
}

// WithInsecureBearerToken is WithBearerToken that also sends the token over
// plaintext connections. It exists for local development against a server
// without TLS; never use it across a network you do not control.
func WithInsecureBearerToken(token string) Option {
	return func(c *config) { c.token, c.insecureToken = token, true }
}

// WithGzip turns gzip compression of requests (and so of the server's
// replies) on or off. It is off by default: the typical values are small,
// and gzip makes a 64-byte message larger while each call pays for a
// compressor's state; over loopback it cost more than half of the
// throughput (bench/RESULTS.md, network-grpc: 0.28x miniredis with gzip,
// 0.60x without). Turn it on for large values over a slow link. The isA
// Python clients gzip every request, which the server accepts either way.
func WithGzip(on bool) Option { return func(c *config) { c.gzip = on } }

// WithTimeout gives every unary call whose context has no deadline this
// timeout (default: none, the context alone decides). Subscribe streams are
// not affected.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithKeepalive sets the interval between keepalive pings, sent also when
// no call is active (default DefaultKeepalive; 0 turns pings off). The
// server refuses pings more frequent than its minimum (10 s by default) by
// closing the connection, so stay above it (dial only).
func WithKeepalive(d time.Duration) Option { return func(c *config) { c.keepalive = d } }

// WithRetries sets how many times in all an idempotent read is tried when
// the server answers UNAVAILABLE (default DefaultMaxAttempts; 1 disables
// retries), sleeping an exponential backoff with jitter between attempts,
// starting near base and capped at max. The call's context bounds the whole.
// Writes are never retried: their error reaches the caller, who alone knows
// whether repeating them is safe.
func WithRetries(maxAttempts int, base, max time.Duration) Option {
	return func(c *config) {
		if maxAttempts < 1 {
			maxAttempts = 1
		}
		if base <= 0 {
			base = DefaultRetryBase
		}
		if max < base {
			max = base
		}
		c.retry = retryPolicy{maxAttempts: maxAttempts, base: base, max: max}
	}
}

// WithSubscriptionBuffer sets how many messages a Subscription buffers
// before it stops reading from the server (default
// DefaultSubscriptionBuffer). A consumer that stays behind for long is
// eventually disconnected by the server with RESOURCE_EXHAUSTED.
func WithSubscriptionBuffer(n int) Option {
	return func(c *config) {
		if n < 0 {
			n = 0
		}
		c.subBuffer = n
	}
}

// WithDialOptions adds raw gRPC dial options, after the client's own (dial
// only). It is the escape hatch for anything this package does not wrap,
// such as a custom dialer.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(c *config) { c.dialOpts = append(c.dialOpts, opts...) }
}
