package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/resp"
)

// respListener is the optional Redis protocol listener (--resp-addr).
type respListener struct {
	srv    *resp.Server
	served chan error // nil when the listener is off: a select never picks it
	done   chan struct{}
}

// startRESP serves eng over RESP on cfg.respAddr, when set. The gRPC
// bearer token, when there is one, is the password RESP clients must give
// with AUTH.
func startRESP(cfg *config, eng *engine.Engine, token string, log *slog.Logger) (*respListener, error) {
	if cfg.respAddr == "" {
		return &respListener{}, nil
	}
	if eng == nil {
		// The listener speaks to the embedded engine; Redis clients of a
		// Redis-backed deployment talk to that Redis directly.
		return nil, fmt.Errorf("--resp-addr serves the embedded engine and cannot be used with --backend %s", cfg.backend)
	}
	l, err := net.Listen("tcp", cfg.respAddr)
	if err != nil {
		return nil, err
	}
	rs := &respListener{srv: resp.NewServer(eng, resp.Options{Password: token, BusyPoll: cfg.respBusyPoll}), served: make(chan error, 1), done: make(chan struct{})}
	go func() {
		defer close(rs.done)
		rs.served <- rs.srv.Serve(l)
	}()
	log.Info("RESP listener started", slog.String("resp_addr", l.Addr().String()), slog.Bool("auth", token != ""))
	return rs, nil
}

// stop closes the RESP listener, letting clients finish their current
// pipeline within cfg.shutdownTimeout, and waits for its goroutines.
func (rs *respListener) stop(cfg *config) {
	if rs.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	_ = rs.srv.Shutdown(ctx)
	<-rs.done
}
