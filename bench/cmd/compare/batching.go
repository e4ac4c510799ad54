package main

import "github.com/isa-cloud/isa-memstore/bench/internal/harness"

// The batching comparison: 256 goroutines doing Gets through the Go client,
// plain unary calls against the client's auto-batcher (batching, target
// >= 4). It needs the client and a server.
func init() {
	register(comparison{
		name: "batching", order: 6,
		about: "256 goroutines, plain vs auto-batched client Gets",
		run: func(config) ([]harness.Result, []string, error) {
			return nil, []string{
				harness.Skip("batching", "needs the Go client with its auto-batcher and the gRPC server (branches client and server), not merged yet"),
			}, nil
		},
	})
}
