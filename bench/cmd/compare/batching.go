package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/isa-cloud/isa-memstore/bench/internal/harness"
	"github.com/isa-cloud/isa-memstore/client"
	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// The batching comparison: 256 goroutines reading through our Go client,
// each call its own unary Get, against the same goroutines going through
// the client's auto-batcher, which folds concurrent Gets into one
// GetMultiple. Server: ours with the engine backend, in this process on
// 127.0.0.1; 10k preloaded keys.
const (
	batchCallers = 256
	batchTarget  = 4.0
)

func init() {
	register(comparison{
		name: "batching", order: 6,
		about: "256 goroutines, plain vs auto-batched client Gets (target >= 4x)",
		run:   runBatching,
	})
}

func runBatching(cfg config) ([]harness.Result, []string, error) {
	keys := make([]string, netKeys)
	for i := range keys {
		keys[i] = memKey(i)
	}
	eng, err := engine.Open(engine.Options{})
	if err != nil {
		return nil, nil, err
	}
	defer eng.Close()
	addr, stop, err := startGRPC(grpcserver.NewEngineBackend(eng))
	if err != nil {
		return nil, nil, err
	}
	defer stop()
	c, err := client.New(addr, client.WithUser(benchUser))
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	b := client.NewBatcher(c, client.BatcherOptions{})
	defer b.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for i, k := range keys {
		if err := c.Set(ctx, k, memValue(i)); err != nil {
			return nil, nil, fmt.Errorf("preload: %w", err)
		}
	}
	var errs [2]harness.FirstError
	check := func(fe *harness.FirstError, v string, err error, i int) {
		if err == nil && !isMemValue(v, i) {
			err = errors.New("wrong value")
		}
		fe.Note(err)
	}
	plain := func() float64 {
		return harness.MeasureChunked(batchCallers, cfg.round, 1, func(w int) func(int) {
			return func(i int) {
				j := walk(w, i, netKeys)
				v, err := c.Get(ctx, keys[j])
				check(&errs[0], v, err, j)
			}
		}).PerSec
	}
	batched := func() float64 {
		return harness.MeasureChunked(batchCallers, cfg.round, 1, func(w int) func(int) {
			return func(i int) {
				j := walk(w, i, netKeys)
				v, err := b.Get(ctx, keys[j])
				check(&errs[1], v, err, j)
			}
		}).PerSec
	}
	samples := harness.Alternate(cfg.rounds, plain, batched)
	for i, name := range []string{"plain", "batched"} {
		if err := errs[i].Err(); err != nil {
			return nil, nil, fmt.Errorf("%s Gets: %w", name, err)
		}
	}
	p, bt := harness.Median(samples[0]), harness.Median(samples[1])
	t := harness.NewTable("client", "Gets/s", "ratio", "range")
	t.Row("plain (one unary Get per call)", harness.Ops(p), harness.Ratio(1), spread(samples[0]))
	t.Row("auto-batched (Batcher.Get)", harness.Ops(bt), harness.Ratio(bt/p), spread(samples[1]))
	t.Print(os.Stdout)
	fmt.Printf("%d goroutines, one client (one gRPC connection), %d keys; batcher defaults (max %d calls, max wait %v)\n",
		batchCallers, netKeys, client.DefaultBatchMaxSize, client.DefaultBatchMaxWait)
	return []harness.Result{harness.AtLeast("batching", bt/p, batchTarget)}, nil, nil
}
