package main

import (
	"testing"
	"sync/atomic"
	"github.com/isa-cloud/isa-memstore/engine"
)

type sEntry struct {
	val      string
	deadline int64
	a, b     uint32
}

func BenchmarkScratchGet(b *testing.B) {
	env, cleanup, err := newEmbeddedEnv()
	if err != nil { b.Fatal(err) }
	b.Cleanup(cleanup)
	for _, op := range embeddedOps { if op.name == "get" { op.load(env) } }
	pm := make(map[string]*sEntry, embKeys)
	pmc := make(map[string]*sEntry, embKeys)
	for _, k := range env.keys { pm[k] = &sEntry{val: env.value} ; pmc[string([]byte(k))] = &sEntry{val: env.value}}
	var sink atomic.Int64
	run := func(name string, f func(k string) int) {
		b.Run(name, func(b *testing.B) {
			s := 0
			for i := 0; i < b.N; i++ { s += f(env.keys[walk(0, i, embKeys)]) }
			sink.Add(int64(s))
		})
	}
	for range 3 {
	run("floor", func(k string) int { return len(env.floor.get[k]) })
	run("ptrmap", func(k string) int { e := pm[k]; if e.deadline != 0 { return 0 }; return len(e.val) })
	run("ptrmapcopy", func(k string) int { e := pmc[k]; if e.deadline != 0 { return 0 }; return len(e.val) })
	run("engine", func(k string) int { v, _, _ := env.db.Get(k); return len(v) })
	run("engineView", func(k string) int { var n int; _ = env.db.Atomic([]string{k}, func(t engine.Txn) error { v, _, _ := t.Get(k); n = len(v); return nil }); return n })
	}
}
