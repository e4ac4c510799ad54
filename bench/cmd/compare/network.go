package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/bench/internal/harness"
	"github.com/isa-cloud/isa-memstore/client"
	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// The network comparison: what a Go test does today (go-redis against
// miniredis's TCP server) against go-redis on our RESP listener and our
// gRPC client on our gRPC server, all in this process over 127.0.0.1. 64
// callers each alternate SET and GET over 10k keys with 32-byte values;
// throughput is commands per second.
const (
	netCallers    = 64
	netRespTarget = 2.0
	netGRPCTarget = 1.0
)

func init() {
	register(comparison{
		name: "network", order: 2,
		about: "64 callers over 127.0.0.1, SET/GET: go-redis->miniredis vs go-redis->our RESP listener (target >= 2x) and our gRPC client->server (>= 1x)",
		run:   runNetwork,
	})
}

// netOp returns a caller's operation: even calls SET, odd calls GET.
type netOp func(ctx context.Context, set bool, key, value string) error

func runNetwork(cfg config) ([]harness.Result, []string, error) {
	keys := make([]string, netKeys)
	for i := range keys {
		keys[i] = memKey(i)
	}
	value := memValue(0)

	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, nil, err
	}
	defer m.Close()

	eng, err := engine.Open(engine.Options{})
	if err != nil {
		return nil, nil, err
	}
	defer eng.Close()
	grpcAddr, stopGRPC, err := startGRPC(grpcserver.NewEngineBackend(eng))
	if err != nil {
		return nil, nil, err
	}
	defer stopGRPC()

	goRedis := func(addr string) *redis.Client {
		// One connection per caller, as a test suite's pool would have
		// under this load; no CLIENT SETINFO, which miniredis lacks.
		return redis.NewClient(&redis.Options{Addr: addr, PoolSize: netCallers, DisableIdentity: true})
	}
	toMini := goRedis(m.Addr())
	defer toMini.Close()
	gc, err := client.New(grpcAddr, client.WithUser(benchUser))
	if err != nil {
		return nil, nil, err
	}
	defer gc.Close()

	viaRedis := func(rc *redis.Client) netOp {
		return func(ctx context.Context, set bool, key, value string) error {
			if set {
				return rc.Set(ctx, key, value, 0).Err()
			}
			return rc.Get(ctx, key).Err()
		}
	}
	viaGRPC := func(c *client.Client) netOp {
		return func(ctx context.Context, set bool, key, value string) error {
			if set {
				return c.Set(ctx, key, value)
			}
			_, err := c.Get(ctx, key)
			return err
		}
	}
	// The client compresses with gzip by default; the same client without
	// it shows what that costs on small values (reported, no target).
	plain, err := client.New(grpcAddr, client.WithUser(benchUser), client.WithGzip(false))
	if err != nil {
		return nil, nil, err
	}
	defer plain.Close()
	type contender struct {
		name, result string
		target       float64
		op           netOp
	}
	contenders := []contender{{name: "go-redis -> miniredis", op: viaRedis(toMini)}}
	var skips []string
	if startRespListener != nil {
		respAddr, stopResp, err := startRespListener(eng)
		if err != nil {
			return nil, nil, err
		}
		defer stopResp()
		toResp := goRedis(respAddr)
		defer toResp.Close()
		contenders = append(contenders, contender{"go-redis -> isa-memstore RESP", "network-resp", netRespTarget, viaRedis(toResp)})
	} else {
		skips = append(skips, harness.Skip("network-resp", "needs the RESP listener (package resp, branch resp), not merged yet"))
	}
	contenders = append(contenders,
		contender{"isa-memstore client -> gRPC server", "network-grpc", netGRPCTarget, viaGRPC(gc)},
		contender{"  same, WithGzip(false)", "", 0, viaGRPC(plain)})

	// Every key exists before the first round, so GETs find values.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, c := range contenders {
		for _, k := range keys {
			if err := c.op(ctx, true, k, value); err != nil {
				return nil, nil, fmt.Errorf("%s: preload: %w", c.name, err)
			}
		}
	}

	errs := make([]harness.FirstError, len(contenders))
	fns := make([]func() float64, len(contenders))
	for ci, c := range contenders {
		fns[ci] = func() float64 {
			return harness.MeasureChunked(netCallers, cfg.round, 1, func(w int) func(int) {
				return func(i int) {
					errs[ci].Note(c.op(ctx, i%2 == 0, keys[walk(w, i/2, netKeys)], value))
				}
			}).PerSec
		}
	}
	samples := harness.Alternate(cfg.rounds, fns...)
	for ci := range errs {
		if err := errs[ci].Err(); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", contenders[ci].name, err)
		}
	}
	base := harness.Median(samples[0])
	t := harness.NewTable("path", "commands/s", "vs miniredis", "range")
	for ci, c := range contenders {
		med := harness.Median(samples[ci])
		t.Row(c.name, harness.Ops(med), harness.Ratio(med/base), spread(samples[ci]))
	}
	t.Print(os.Stdout)
	fmt.Println("callers: " + strconv.Itoa(netCallers) + ", each alternating SET and GET; one go-redis connection per caller, one gRPC connection shared")
	var results []harness.Result
	for ci, c := range contenders[1:] {
		if c.result != "" {
			results = append(results, harness.AtLeast(c.result, harness.Median(samples[ci+1])/base, c.target))
		}
	}
	return results, skips, nil
}

// startRespListener starts our RESP listener over an engine on 127.0.0.1;
// it is set by servers_resp.go when the tree has the RESP listener, and nil
// until then (network-resp is then skipped).
var startRespListener func(eng *engine.Engine) (addr string, stop func(), err error)
