// Command grpcload measures unary Get and Set over loopback TCP against the
// isa-memstore gRPC server, next to a peer measured in the same run, and
// prints the ratio engine/peer. The peer is the same server stack with an
// empty backend (the ceiling of the transport: gRPC, interceptors,
// validation, protobuf), or with -compare redis the same server over the
// Redis backend (the earlier service's architecture: gRPC in front of
// Redis).
//
//	go run ./bench/cmd/grpcload                       # defaults below
//	go run ./bench/cmd/grpcload -callers 1,16,64,256 -duration 3s -runs 3
//	go run ./bench/cmd/grpcload -compare redis -redis-addrs 127.0.0.1:6379
//
// Both servers run in this process on 127.0.0.1, each with its own
// listener; client and server share the machine's CPUs in both cases, so
// the ratio compares like with like. Each cell alternates short slices
// (empty, engine, empty, engine, ... -runs of each) and pools them: calls
// over measured time, percentiles over all calls. On a shared or busy
// machine, interference then falls on both sides alike instead of on
// whichever happened to run during a burst.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
	"github.com/isa-cloud/isa-memstore/grpcserver/redisbackend"
)

func main() {
	callers := flag.String("callers", "1,16,64,256", "comma-separated numbers of concurrent callers")
	duration := flag.Duration("duration", 250*time.Millisecond, "measuring time of one slice")
	warmup := flag.Duration("warmup", 50*time.Millisecond, "unmeasured time before each slice")
	runs := flag.Int("runs", 20, "slices per cell and server, alternating, pooled")
	keys := flag.Int("keys", 10000, "distinct keys")
	valueSize := flag.Int("value-size", 100, "value bytes")
	maxConns := flag.Int("conns", 8, "client connections at most (callers share them round-robin)")
	compare := flag.String("compare", "empty", "the peer: empty (an empty backend) or redis (the Redis backend at -redis-addrs)")
	redisAddrs := flag.String("redis-addrs", "127.0.0.1:6379", "with -compare redis: Redis host:port[,...] (a cluster is detected)")
	redisDB := flag.Int("redis-db", 13, "with -compare redis: the database the benchmark's keys go to (standalone only)")
	flag.Parse()

	var levels []int
	for _, s := range strings.Split(*callers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "grpcload: bad -callers entry %q\n", s)
			os.Exit(2)
		}
		levels = append(levels, n)
	}
	value := strings.Repeat("v", *valueSize)

	eng, err := engine.Open(engine.Options{})
	check(err)
	defer eng.Close()
	engineAddr, stopEngine := serve(grpcserver.NewEngineBackend(eng))
	defer stopEngine()
	var peer grpcserver.Backend = emptyBackend{value: value}
	switch *compare {
	case "empty":
	case "redis":
		rb, err := redisbackend.New(context.Background(), redisbackend.Options{Addrs: strings.Split(*redisAddrs, ","), DB: *redisDB})
		check(err)
		defer rb.Close()
		peer = rb
	default:
		fmt.Fprintf(os.Stderr, "grpcload: -compare must be empty or redis, not %q\n", *compare)
		os.Exit(2)
	}
	emptyAddr, stopEmpty := serve(peer)
	defer stopEmpty()

	// Preload the keys Get reads (on both sides: the peer may be Redis).
	keyNames := make([]string, *keys)
	for i := range keyNames {
		keyNames[i] = fmt.Sprintf("key:%06d", i)
	}
	for _, addr := range []string{engineAddr, emptyAddr} {
		pre := dial(addr, 1)
		for _, k := range keyNames {
			_, err := pb.NewRedisServiceClient(pre[0]).Set(context.Background(), &pb.SetRequest{UserId: benchUser, Key: k, Value: value})
			check(err)
		}
		closeAll(pre)
	}

	fmt.Printf("grpcload: %s, GOMAXPROCS=%d, %d keys, %d-byte values, %d alternating slices of %v per cell and server\n",
		runtime.Version(), runtime.GOMAXPROCS(0), *keys, *valueSize, *runs, *duration)
	const row = "%-4s %7s %9s %9s %9s %11s %10s %10s %6s\n"
	fmt.Printf(row, "op", "callers", "QPS", "p50", "p99", *compare+" QPS", *compare+" p50", *compare+" p99", "ratio")
	for _, op := range []string{"Get", "Set"} {
		for _, n := range levels {
			conns := min(n, *maxConns)
			engConns, emptyConns := dial(engineAddr, conns), dial(emptyAddr, conns)
			var real, empty samples
			for range *runs {
				empty.add(measure(emptyConns, op, n, keyNames, value, *warmup, *duration))
				real.add(measure(engConns, op, n, keyNames, value, *warmup, *duration))
			}
			closeAll(engConns)
			closeAll(emptyConns)
			r, e := real.result(), empty.result()
			fmt.Printf(row, op, strconv.Itoa(n), fmt.Sprintf("%.0f", r.qps), us(r.p50), us(r.p99),
				fmt.Sprintf("%.0f", e.qps), us(e.p50), us(e.p99), fmt.Sprintf("%.2f", r.qps/e.qps))
		}
	}
}

const benchUser = "bench-user"

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "grpcload:", err)
		os.Exit(1)
	}
}

// serve starts a grpcserver over b on a loopback port, configured as the
// binary's defaults, with logging off.
func serve(b grpcserver.Backend) (string, func()) {
	srv, err := grpcserver.New(b, grpcserver.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	check(err)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(srv.Serve(lis))
	}()
	return lis.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}
}

func dial(addr string, n int) []*grpc.ClientConn {
	conns := make([]*grpc.ClientConn, n)
	for i := range conns {
		c, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		check(err)
		c.Connect()
		conns[i] = c
	}
	return conns
}

func closeAll(conns []*grpc.ClientConn) {
	for _, c := range conns {
		_ = c.Close()
	}
}

// us formats a latency in microseconds.
func us(d time.Duration) string { return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond)) }

// result is a cell's figures.
type result struct {
	qps      float64
	p50, p99 time.Duration
}

// samples pools the slices of one cell and server.
type samples struct {
	lat     []time.Duration
	elapsed time.Duration
}

func (s *samples) add(lat []time.Duration, elapsed time.Duration) {
	s.lat = append(s.lat, lat...)
	s.elapsed += elapsed
}

func (s *samples) result() result {
	if len(s.lat) == 0 {
		return result{}
	}
	slices.Sort(s.lat)
	return result{
		qps: float64(len(s.lat)) / s.elapsed.Seconds(),
		p50: s.lat[len(s.lat)*50/100],
		p99: s.lat[len(s.lat)*99/100],
	}
}

// measure runs n callers doing op for warmup+d and returns the latencies
// of the calls completed during d, and d as measured.
func measure(conns []*grpc.ClientConn, op string, n int, keys []string, value string, warmup, d time.Duration) ([]time.Duration, time.Duration) {
	runtime.GC() // start every measurement with a clean heap
	var measuring atomic.Bool
	stop := make(chan struct{})
	lat := make([][]time.Duration, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := pb.NewRedisServiceClient(conns[i%len(conns)])
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			get := &pb.GetRequest{UserId: benchUser}
			set := &pb.SetRequest{UserId: benchUser, Value: value}
			mine := make([]time.Duration, 0, 1<<12)
			ctx := context.Background()
			for {
				select {
				case <-stop:
					lat[i] = mine
					return
				default:
				}
				k := keys[rng.IntN(len(keys))]
				start := time.Now()
				var err error
				if op == "Get" {
					get.Key = k
					_, err = c.Get(ctx, get)
				} else {
					set.Key = k
					_, err = c.Set(ctx, set)
				}
				check(err)
				if measuring.Load() {
					mine = append(mine, time.Since(start))
				}
			}
		}()
	}
	time.Sleep(warmup) // a benchmark program: letting load run is the point
	measuring.Store(true)
	began := time.Now()
	time.Sleep(d)
	measuring.Store(false)
	elapsed := time.Since(began)
	close(stop)
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	return all, elapsed
}

// emptyBackend answers Get and Set without doing anything: with it the
// server measures everything but the engine. Other methods are not called.
type emptyBackend struct {
	grpcserver.Backend
	value string
}

func (e emptyBackend) Get(context.Context, grpcserver.Tenant, string) (string, bool, error) {
	return e.value, true, nil
}

func (emptyBackend) Set(context.Context, grpcserver.Tenant, string, string, time.Duration) error {
	return nil
}
