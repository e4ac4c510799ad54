package conformance

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

var serviceCases = map[string]func(*testing.T, *suite){
	"HealthServiceServing": func(t *testing.T, s *suite) {
		hc := healthpb.NewHealthClient(s.conn)
		for _, name := range []string{"redis-service", ""} {
			r, err := hc.Check(ctx(t), &healthpb.HealthCheckRequest{Service: name})
			require.NoError(t, err, "health of %q", name)
			assert.Equal(t, healthpb.HealthCheckResponse_SERVING, r.Status, "health of %q", name)
		}
	},
	"Reflection": func(t *testing.T, s *suite) {
		stream, err := rpb.NewServerReflectionClient(s.conn).ServerReflectionInfo(ctx(t))
		require.NoError(t, err)
		require.NoError(t, stream.Send(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{}}))
		r, err := stream.Recv()
		require.NoError(t, err)
		var names []string
		for _, svc := range r.GetListServicesResponse().GetService() {
			names = append(names, svc.Name)
		}
		assert.Contains(t, names, "isa.redis.RedisService")
		require.NoError(t, stream.CloseSend())
	},
	"HealthCheckNeedsNoUser": func(t *testing.T, s *suite) {
		for _, deep := range []bool{false, true} {
			r, err := s.c.HealthCheck(ctx(t), &pb.RedisHealthCheckRequest{DeepCheck: deep})
			must(t, "HealthCheck", err)
			assert.True(t, r.Healthy, "deep=%v: %s", deep, r.Message)
			assert.Equal(t, "healthy", r.RedisStatus)
			assert.NotNil(t, r.CheckedAt)
			assert.Positive(t, r.ConnectedClients, "this connection at least")
			assert.NotEmpty(t, r.Message)
		}
	},
}

var identityCases = map[string]func(*testing.T, *suite){
	"EmptyUserIsPermissionDenied": func(t *testing.T, s *suite) {
		c := ctx(t)
		calls := map[string]func() error{
			"Set": func() error {
				_, err := s.c.Set(c, &pb.SetRequest{OrganizationId: "o", Key: "k", Value: "v"})
				return err
			},
			"Get":         func() error { _, err := s.c.Get(c, &pb.GetRequest{Key: "k"}); return err },
			"ListKeys":    func() error { _, err := s.c.ListKeys(c, &pb.ListKeysRequest{}); return err },
			"HSet":        func() error { _, err := s.c.HSet(c, &pb.HSetRequest{Key: "h"}); return err },
			"AcquireLock": func() error { _, err := s.c.AcquireLock(c, &pb.AcquireLockRequest{LockKey: "l"}); return err },
			"Publish":     func() error { _, err := s.c.Publish(c, &pb.PublishRequest{Channel: "c"}); return err },
			"GetSession":  func() error { _, err := s.c.GetSession(c, &pb.GetSessionRequest{SessionId: "x"}); return err },
			"ExecuteBatch": func() error {
				_, err := s.c.ExecuteBatch(c, &pb.RedisBatchRequest{Commands: []*pb.BatchCommand{{Operation: "SET", Key: "k", Value: "v"}}})
				return err
			},
			"GetStatistics": func() error { _, err := s.c.GetStatistics(c, &pb.GetStatisticsRequest{}); return err },
			"Subscribe": func() error {
				st, err := s.c.Subscribe(c, &pb.SubscribeRequest{Channels: []string{"c"}})
				if err != nil {
					return err
				}
				_, err = st.Recv()
				return err
			},
		}
		for rpc, call := range calls {
			err := call()
			if status.Code(err) == codes.Unimplemented {
				t.Logf("SKIPPED %s: not implemented by the server yet", rpc)
				continue
			}
			assert.Equal(t, codes.PermissionDenied, status.Code(err), "%s: %v", rpc, err)
		}
	},
}

// recvAll reads a stream until it ends and returns the messages and the
// final error (nil for a clean end).
func recvAll[T any](stream grpc.ServerStreamingClient[T]) ([]*T, error) {
	var out []*T
	for {
		m, err := stream.Recv()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
}
