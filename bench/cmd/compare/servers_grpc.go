package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// benchUser is the tenant every gRPC call of the comparisons uses.
const benchUser = "bench-user"

// netKeys is how many keys the comparisons over the network read and write.
const netKeys = 10_000

// startGRPC serves RedisService over b on a free 127.0.0.1 port, with the
// binary's defaults and logging off.
func startGRPC(b grpcserver.Backend) (string, func(), error) {
	srv, err := grpcserver.New(b, grpcserver.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return "", nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	return l.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}, nil
}
