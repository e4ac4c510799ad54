package client

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// fake is a scripted RedisService for the client's unit tests: it decodes
// any request of the service, records it, and answers what the test's
// handler for that method says (an empty response when there is none). It
// checks what the client puts on the wire and does with answers, without
// any server semantics; end-to-end tests run against the real server.
type fake struct {
	mu       sync.Mutex
	unary    map[string]func(ctx context.Context, req proto.Message) (proto.Message, error)
	streams  map[string]func(req proto.Message, ss grpc.ServerStream) error
	requests []proto.Message
	calls    map[string]int
	mds      []metadata.MD
}

// method names the RPC of a full method path.
func methodName(full string) string {
	return full[strings.LastIndexByte(full, '/')+1:]
}

var service = pb.File_redis_service_proto.Services().ByName("RedisService")

func (f *fake) handle(_ any, ss grpc.ServerStream) error {
	full, _ := grpc.MethodFromServerStream(ss)
	md := service.Methods().ByName(protoreflect.Name(methodName(full)))
	if md == nil {
		return status.Errorf(codes.Unimplemented, "fake: no method %s", full)
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(md.Input().FullName())
	if err != nil {
		return err
	}
	req := mt.New().Interface()
	if err := ss.RecvMsg(req); err != nil {
		return err
	}
	name := string(md.Name())
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.calls[name]++
	if m, ok := metadata.FromIncomingContext(ss.Context()); ok {
		f.mds = append(f.mds, m)
	}
	h, sh := f.unary[name], f.streams[name]
	f.mu.Unlock()
	if md.IsStreamingServer() {
		if sh == nil {
			return status.Error(codes.Unimplemented, "fake: no stream handler")
		}
		return sh(req, ss)
	}
	var resp proto.Message
	if h != nil {
		if resp, err = h(ss.Context(), req); err != nil {
			return err
		}
	}
	if resp == nil {
		out, err := protoregistry.GlobalTypes.FindMessageByName(md.Output().FullName())
		if err != nil {
			return err
		}
		resp = out.New().Interface()
	}
	return ss.SendMsg(resp)
}

func (f *fake) on(method string, h func(ctx context.Context, req proto.Message) (proto.Message, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unary[method] = h
}

func (f *fake) onStream(method string, h func(req proto.Message, ss grpc.ServerStream) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.streams[method] = h
}

// reply makes a handler answering resp whatever the request.
func reply(resp proto.Message) func(context.Context, proto.Message) (proto.Message, error) {
	return func(context.Context, proto.Message) (proto.Message, error) { return resp, nil }
}

// fail makes a handler answering the status err.
func fail(c codes.Code, msg string) func(context.Context, proto.Message) (proto.Message, error) {
	return func(context.Context, proto.Message) (proto.Message, error) { return nil, status.Error(c, msg) }
}

func (f *fake) lastRequest() proto.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		return nil
	}
	return f.requests[len(f.requests)-1]
}

func (f *fake) lastMetadata() metadata.MD {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.mds) == 0 {
		return nil
	}
	return f.mds[len(f.mds)-1]
}

func (f *fake) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// startFake serves a fake over bufconn and returns it with a client for
// tenant (u1, o1) made by New with opts (plus the bufconn dialer).
func startFake(t testing.TB, opts ...Option) (*fake, *Client) {
	t.Helper()
	f, lis := serveFake(t)
	return f, dialFake(t, lis, opts...)
}

// serveFake serves a new fake on a bufconn listener until the test ends.
func serveFake(t testing.TB, srvOpts ...grpc.ServerOption) (*fake, *bufconn.Listener) {
	t.Helper()
	f := &fake{
		unary:   map[string]func(context.Context, proto.Message) (proto.Message, error){},
		streams: map[string]func(proto.Message, grpc.ServerStream) error{},
		calls:   map[string]int{},
	}
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(append(srvOpts, grpc.UnknownServiceHandler(f.handle))...)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return f, lis
}

// dialFake connects a client for tenant (u1, o1) to lis; opts come after
// the defaults, so they may override them.
func dialFake(t testing.TB, lis *bufconn.Listener, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{
		WithUser("u1"), WithOrganization("o1"),
		WithDialOptions(grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) })),
	}, opts...)
	c, err := New("passthrough:///bufnet", all...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// testCtx is a context that ends the test's waits.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// opCase is one client operation checked against the fake: the request it
// must send, the response the fake answers, and what the call must return.
type opCase struct {
	name    string
	method  string
	resp    proto.Message // nil: an empty response
	call    func(ctx context.Context, c *Client) (any, error)
	req     proto.Message
	want    any
	wantErr error
}

func runOps(t *testing.T, cases []opCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, c := startFake(t)
			if tc.resp != nil {
				f.on(tc.method, reply(tc.resp))
			}
			got, err := tc.call(testCtx(t), c)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.want, got)
			if tc.req == nil {
				require.Zero(t, f.count(tc.method), "no request expected")
				return
			}
			require.Equal(t, 1, f.count(tc.method))
			got2 := f.lastRequest()
			require.Truef(t, proto.Equal(tc.req, got2), "request\n got: %v\nwant: %v", got2, tc.req)
		})
	}
}
