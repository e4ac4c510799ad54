// Command resp-server serves a fresh engine over RESP on the given address,
// for bench/resp-compare.sh: a minimal process whose throughput is the RESP
// listener's and the engine's, nothing else.
//
//	go run ./bench/resp-server -addr 127.0.0.1:6380 [-busy-poll 50us] [-cpuprofile cpu.out]
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/resp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6380", "listen address")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here until the process is stopped")
	busyPoll := flag.Duration("busy-poll", 0, "resp.Options.BusyPoll (0: the default, negative: off)")
	flag.Parse()

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	eng, err := engine.Open(engine.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer eng.Close()
	srv := resp.NewServer(eng, resp.Options{BusyPoll: *busyPoll})
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe(*addr) }()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-sig:
	case err := <-errc:
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
