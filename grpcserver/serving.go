package grpcserver

import healthpb "google.golang.org/grpc/health/grpc_health_v1"

// SetServing reports the backend's availability through the standard
// health service (both the server-wide "" and HealthService): a backend
// that depends on something outside the process, such as the Redis
// backend, calls it when that dependency goes away and comes back, so load
// balancers and Consul stop routing here meanwhile. After Shutdown it has
// no effect: the server stays NOT_SERVING.
func (s *Server) SetServing(serving bool) {
	st := healthpb.HealthCheckResponse_NOT_SERVING
	if serving {
		st = healthpb.HealthCheckResponse_SERVING
	}
	s.health.SetServingStatus("", st)
	s.health.SetServingStatus(HealthService, st)
}
