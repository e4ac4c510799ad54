package main

import "github.com/isa-cloud/isa-memstore/bench/internal/harness"

// The grpc comparison: unary Get/Set QPS with 64 callers through our gRPC
// server with the embedded backend, against the same server with an empty
// handler (the transport's ceiling, grpc-ceiling, target >= 0.85) and with
// the Redis backend (grpc-vs-redis, target >= 1.5). It needs the gRPC
// server and, for the second, its Redis backend.
func init() {
	register(comparison{
		name: "grpc", order: 5,
		about: "unary Get/Set QPS, 64 callers: embedded backend vs empty-handler ceiling and vs Redis backend",
		run: func(config) ([]harness.Result, []string, error) {
			return nil, []string{
				harness.Skip("grpc-ceiling", "needs the gRPC server (package grpcserver, branch server), not merged yet"),
				harness.Skip("grpc-vs-redis", "needs the gRPC server's Redis backend (issue 7), not built yet"),
			}, nil
		},
	})
}
