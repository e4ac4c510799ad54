package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
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
// throughput is commands per second. Each target is shown beside its
// ceiling measured in the same rounds: the same client against a server
// that does nothing (see noop_resp.go and the grpc comparison's empty
// backend), the most any server could reach on this machine, where the
// client's own CPU and the loopback round trips remain.
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
	// The ceilings: the same clients against servers that do nothing (a
	// no-op RESP server; our gRPC server over the grpc comparison's empty
	// backend). Their ratios to miniredis are the best any server could
	// reach with these clients on this machine, measured in the same run.
	noopAddr, stopNoop, err := startNoopResp(value)
	if err != nil {
		return nil, nil, err
	}
	defer stopNoop()
	toNoop := goRedis(noopAddr)
	defer toNoop.Close()
	emptyAddr, stopEmpty, err := startGRPC(emptyBackend{value: value})
	if err != nil {
		return nil, nil, err
	}
	defer stopEmpty()
	toEmpty, err := client.New(emptyAddr, client.WithUser(benchUser))
	if err != nil {
		return nil, nil, err
	}
	defer toEmpty.Close()
	// gzip is off by default in the client; the same client with it on
	// shows what it costs on small values (reported, no target).
	gzipped, err := client.New(grpcAddr, client.WithUser(benchUser), client.WithGzip(true))
	if err != nil {
		return nil, nil, err
	}
	defer gzipped.Close()
	// A contender with a result has a target; one with ceilingOf is the
	// ceiling of that result; the others are shown for information.
	type contender struct {
		name, result, ceilingOf string
		target                  float64
		op                      netOp
		noPreload               bool // the server stores nothing
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
		contenders = append(contenders, contender{name: "go-redis -> isa-memstore RESP", result: "network-resp", target: netRespTarget, op: viaRedis(toResp)})
	} else {
		skips = append(skips, harness.Skip("network-resp", "needs the RESP listener (package resp, branch resp), not merged yet"))
	}
	contenders = append(contenders,
		contender{name: "  ceiling: go-redis -> no-op RESP server", ceilingOf: "network-resp", op: viaRedis(toNoop), noPreload: true},
		contender{name: "isa-memstore client -> gRPC server", result: "network-grpc", target: netGRPCTarget, op: viaGRPC(gc)},
		contender{name: "  ceiling: same client -> empty gRPC backend", ceilingOf: "network-grpc", op: viaGRPC(toEmpty), noPreload: true},
		contender{name: "  same client, WithGzip(true)", op: viaGRPC(gzipped)})

	// Every key exists before the first round, so GETs find values.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, c := range contenders {
		if c.noPreload {
			continue
		}
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
	// A ceiling line gives the best ratio a server could have reached here
	// and how much of it ours reached; the RESULT lines keep their format.
	ratio := func(ci int) float64 { return harness.Median(samples[ci]) / base }
	var results []harness.Result
	for ci, c := range contenders {
		if c.result != "" {
			results = append(results, harness.AtLeast(c.result, ratio(ci), c.target))
		}
	}
	for ci, c := range contenders {
		if c.ceilingOf == "" {
			continue
		}
		line := fmt.Sprintf("CEILING %s: %.2f (%s, vs miniredis)", c.ceilingOf, ratio(ci), strings.TrimPrefix(strings.TrimSpace(c.name), "ceiling: "))
		for oi, o := range contenders {
			if o.result == c.ceilingOf {
				line += fmt.Sprintf("; ours reaches %.0f%% of it", 100*ratio(oi)/ratio(ci))
			}
		}
		fmt.Println(line)
	}
	return results, skips, nil
}

// startRespListener starts our RESP listener over an engine on 127.0.0.1;
// it is set by servers_resp.go when the tree has the RESP listener, and nil
// until then (network-resp is then skipped).
var startRespListener func(eng *engine.Engine) (addr string, stop func(), err error)
