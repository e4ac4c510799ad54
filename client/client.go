package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/keepalive"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// Client talks to a RedisService server on behalf of one tenant (user id
// and organization id). It is safe for concurrent use by many goroutines;
// share one per process and per tenant (ForTenant derives others cheaply).
type Client struct {
	rpc    pb.RedisServiceClient
	conn   *conn
	closer func() error // nil for clients that do not own the connection
	user   string
	org    string
	// subBuffer is WithSubscriptionBuffer's setting.
	subBuffer int
}

// New connects to target ("host:port" or any gRPC target string). An empty
// target means $ISA_MEMSTORE_ADDR, or DefaultAddr when that is unset. The
// connection is made lazily, on the first call, and re-made after failures;
// New fails only for bad options.
func New(target string, opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if target == "" {
		target = os.Getenv(AddrEnv)
	}
	if target == "" {
		target = DefaultAddr
	}
	dialOpts, err := cfg.dialOptions()
	if err != nil {
		return nil, err
	}
	cc, err := grpc.NewClient(target, dialOpts...)
	if err != nil {
		return nil, fmt.Errorf("memstore: connect to %q: %w", target, err)
	}
	c := newClient(cc, cfg)
	c.closer = cc.Close
	return c, nil
}

// NewFromConn builds a Client over a connection the caller made and keeps
// owning: Close does not close it. Dial-only options (TLS, keepalive, dial
// options) are ignored; the rest apply per call.
func NewFromConn(cc grpc.ClientConnInterface, opts ...Option) *Client {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	return newClient(cc, cfg)
}

func newClient(cc grpc.ClientConnInterface, cfg config) *Client {
	cn := &conn{cc: cc, timeout: cfg.timeout, retry: cfg.retry, callOpts: cfg.callOptions()}
	return &Client{rpc: pb.NewRedisServiceClient(cn), conn: cn, user: cfg.user, org: cfg.org, subBuffer: cfg.subBuffer}
}

// Close closes the connection if the client owns it (New); it is a no-op
// for NewFromConn and ForTenant clients. Calls after Close fail with
// codes.Canceled. Open Subscriptions end.
func (c *Client) Close() error {
	if c.closer == nil {
		return nil
	}
	return c.closer()
}

// ForTenant returns a client for another tenant over the same connection
// and with the same settings. Its Close does nothing: the connection stays
// the original client's to close.
func (c *Client) ForTenant(userID, organizationID string) *Client {
	d := *c
	d.user, d.org = userID, organizationID
	d.closer = nil
	return &d
}

// Conn is the client's connection as generated stubs can use it, with the
// client's call behaviour: default timeout, read retries, compression,
// credentials and errors as *Error. It is the way to RPCs this package does
// not wrap (pb.NewRedisServiceClient(c.Conn()), the health service, ...).
// Requests made through it carry no user id unless the caller sets one.
func (c *Client) Conn() grpc.ClientConnInterface { return c.conn }

// User is the user id the client sends.
func (c *Client) User() string { return c.user }

// Organization is the organization id the client sends.
func (c *Client) Organization() string { return c.org }

func (cfg config) dialOptions() ([]grpc.DialOption, error) {
	var creds credentials.TransportCredentials
	switch {
	case cfg.tls != nil && cfg.caFile != "":
		return nil, errors.New("memstore: WithTLS and WithTLSCertFile are exclusive")
	case cfg.tls != nil:
		creds = credentials.NewTLS(cfg.tls)
	case cfg.caFile != "":
		var err error
		if creds, err = credentials.NewClientTLSFromFile(cfg.caFile, cfg.serverName); err != nil {
			return nil, fmt.Errorf("memstore: TLS certificate: %w", err)
		}
	default:
		creds = insecure.NewCredentials()
	}
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		// Reconnect sooner than gRPC's default (1 s growing to 2 min), so
		// that a restarted server is found again within a read's retries.
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff: backoff.Config{
				BaseDelay:  100 * time.Millisecond,
				Multiplier: 1.6,
				Jitter:     0.2,
				MaxDelay:   5 * time.Second,
			},
			MinConnectTimeout: 5 * time.Second,
		}),
	}
	if cfg.keepalive > 0 {
		opts = append(opts, grpc.WithKeepaliveParams(keepalive.ClientParameters{
			Time:                cfg.keepalive,
			Timeout:             20 * time.Second,
			PermitWithoutStream: true,
		}))
	}
	return append(opts, cfg.dialOpts...), nil
}

// callOptions are applied to every call, so that they hold for NewFromConn
// connections too.
func (cfg config) callOptions() []grpc.CallOption {
	opts := []grpc.CallOption{
		grpc.MaxCallRecvMsgSize(MaxMessageBytes),
		grpc.MaxCallSendMsgSize(MaxMessageBytes),
	}
	if cfg.gzip {
		opts = append(opts, grpc.UseCompressor(gzip.Name))
	}
	if cfg.token != "" {
		opts = append(opts, grpc.PerRPCCredentials(bearer{token: cfg.token, insecure: cfg.insecureToken}))
	}
	return opts
}

// bearer is per-RPC credentials carrying a bearer token.
type bearer struct {
	token    string
	insecure bool
}

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.token}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials: gRPC
// refuses to send the token in plaintext unless the caller opted in.
func (b bearer) RequireTransportSecurity() bool { return !b.insecure }

// conn wraps the gRPC connection with what every call needs: the default
// call options, the default timeout, read retries and the mapping of
// statuses to *Error. It is the client's single interceptor, written as a
// connection wrapper so that NewFromConn connections get it too.
type conn struct {
	cc       grpc.ClientConnInterface
	callOpts []grpc.CallOption
	timeout  time.Duration
	retry    retryPolicy
}

// Invoke implements grpc.ClientConnInterface.
func (c *conn) Invoke(ctx context.Context, method string, req, reply any, opts ...grpc.CallOption) error {
	if c.timeout > 0 {
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, c.timeout)
			defer cancel()
		}
	}
	return fromStatus(c.retry.invoke(ctx, method, req, reply, c.cc.Invoke, c.withDefaults(opts)...))
}

// NewStream implements grpc.ClientConnInterface. Streams get the default
// call options but neither the timeout nor retries.
func (c *conn) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	s, err := c.cc.NewStream(ctx, desc, method, c.withDefaults(opts)...)
	return s, fromStatus(err)
}

func (c *conn) withDefaults(opts []grpc.CallOption) []grpc.CallOption {
	if len(opts) == 0 {
		return c.callOpts
	}
	all := make([]grpc.CallOption, 0, len(c.callOpts)+len(opts))
	return append(append(all, c.callOpts...), opts...)
}
