package main

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkEmbedded runs each embedded comparison operation on both sides
// under b.RunParallel, for profiling the hot paths with the usual tools:
//
//	go test -run '^$' -bench 'Embedded/get/ours' -cpuprofile cpu.out ./bench/cmd/compare
//	go tool pprof -top cpu.out
//
// An operation's data is loaded inside its own sub-benchmark, so that a
// profile of one operation is not swamped by the loading of the others.
func BenchmarkEmbedded(b *testing.B) {
	env, cleanup, err := newEmbeddedEnv()
	require.NoError(b, err)
	b.Cleanup(cleanup)
	b.Cleanup(env.m.Close)
	for _, op := range embeddedOps {
		b.Run(op.name, func(b *testing.B) {
			if op.load != nil {
				require.NoError(b, op.load(env))
			}
			for _, side := range []struct {
				name string
				make func(env *embeddedEnv, w int) func(int)
			}{{"ours", op.ours}, {"miniredis", op.peer}} {
				b.Run(side.name, func(b *testing.B) {
					var worker atomic.Int64
					b.RunParallel(func(pb *testing.PB) {
						f := side.make(env, int(worker.Add(1)-1))
						for i := 0; pb.Next(); i++ {
							f(i)
						}
					})
				})
			}
		})
	}
}

func TestEmbeddedOpsWork(t *testing.T) {
	env, cleanup, err := newEmbeddedEnv()
	require.NoError(t, err)
	t.Cleanup(cleanup)
	t.Cleanup(env.m.Close)
	for _, op := range embeddedOps {
		if op.load != nil {
			require.NoError(t, op.load(env), op.name)
		}
		for w := range embeddedWorkers {
			ours, peer := op.ours(env, w), op.peer(env, w)
			for i := range 100 {
				ours(i)
				peer(i)
			}
		}
	}
	v, found, err := env.db.Get(env.keys[walk(0, 0, embKeys)])
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, env.value, v)
	got, err := env.m.Get(env.keys[walk(1, 5, embKeys)])
	require.NoError(t, err)
	require.Equal(t, env.value, got)
}
