package grpcserver

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// rpcMethods are the RedisService methods from the generated descriptor.
func rpcMethods(t *testing.T) []protoreflect.MethodDescriptor {
	sd := pb.File_redis_service_proto.Services().ByName("RedisService")
	require.NotNil(t, sd)
	var out []protoreflect.MethodDescriptor
	for i := range sd.Methods().Len() {
		out = append(out, sd.Methods().Get(i))
	}
	require.Len(t, out, 61, "the spec's RPC count")
	return out
}

// call invokes method md with a request whose user_id is user (when the
// request has one) and every other field zero, and returns the status.
func call(ctx context.Context, conn *grpc.ClientConn, md protoreflect.MethodDescriptor, user string) error {
	in := dynamicpb.NewMessage(md.Input())
	if f := md.Input().Fields().ByName("user_id"); f != nil {
		in.Set(f, protoreflect.ValueOfString(user))
	}
	method := "/" + string(md.Parent().FullName()) + "/" + string(md.Name())
	if md.IsStreamingServer() {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		s, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, method)
		if err != nil {
			return err
		}
		if err := s.SendMsg(in); err != nil {
			return err
		}
		if err := s.CloseSend(); err != nil {
			return err
		}
		// A subscription without channels may stay open: the header says
		// the handler accepted it; an error ends the stream at once.
		if _, err := s.Header(); err != nil {
			return err
		}
		err = s.RecvMsg(dynamicpb.NewMessage(md.Output()))
		if err == io.EOF {
			return nil
		}
		return err
	}
	return conn.Invoke(ctx, method, in, dynamicpb.NewMessage(md.Output()))
}

// TestEveryRPCImplemented calls every RPC of the spec through a real
// client connection: none may answer UNIMPLEMENTED.
func TestEveryRPCImplemented(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	for _, md := range rpcMethods(t) {
		name := string(md.Name())
		err := call(ctx, h.conn, md, user)
		require.NotEqual(t, codes.Unimplemented, status.Code(err), "%s is not implemented", name)
		if err != nil {
			// A zero request may be refused (e.g. a lock without a key is
			// fine, a session without an id is not found), but only by a
			// deliberate code, never by a crash.
			assert.NotEqual(t, codes.Internal, status.Code(err), "%s: %v", name, err)
			assert.NotEqual(t, codes.Unknown, status.Code(err), "%s: %v", name, err)
		}
	}
}

// TestEmptyUserDenied: every RPC but HealthCheck refuses an empty user_id.
func TestEmptyUserDenied(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	for _, md := range rpcMethods(t) {
		name := string(md.Name())
		err := call(ctx, h.conn, md, "")
		switch {
		case name == "HealthCheck":
			assert.NoError(t, err, name)
		default:
			assert.Equal(t, codes.PermissionDenied, status.Code(err), "%s: %v", name, err)
		}
	}
}
