package engine_test

import (
	"context"
	"fmt"
	"log"
	"runtime"
	"time"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/ttl"
)

// Open an engine in-process, use a namespace, close the engine.
func ExampleOpen() {
	e, err := engine.Open(engine.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()

	db := e.DB("tenant-a") // namespaces are independent keyspaces
	if _, err := db.Set("greeting", "hello", engine.SetOptions{}); err != nil {
		log.Fatal(err)
	}
	v, found, err := db.Get("greeting")
	fmt.Println(v, found, err)

	_, found, _ = e.DB("tenant-b").Get("greeting")
	fmt.Println("visible in tenant-b:", found)
	// Output:
	// hello true <nil>
	// visible in tenant-b: false
}

// SET with a time to live, and with NX (only if absent).
func ExampleDB_Set() {
	// A manual clock makes the TTLs below exact; production code leaves
	// Clock nil for the system clock.
	e, err := engine.Open(engine.Options{Clock: ttl.NewManual(time.Time{})})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	db := e.DB("app")

	res, err := db.Set("session:42", "alice", engine.SetOptions{TTL: 30 * time.Minute})
	fmt.Println(res.Written, err)
	secs, _ := db.TTL("session:42")
	fmt.Println("TTL:", secs)

	res, _ = db.Set("session:42", "mallory", engine.SetOptions{NX: true})
	fmt.Println("NX on an existing key wrote:", res.Written)

	_, err = db.Set("session:42", "bob", engine.SetOptions{TTL: -time.Second})
	fmt.Println(err)
	// Output:
	// true <nil>
	// TTL: 1800
	// NX on an existing key wrote: false
	// ERR invalid expire time in 'set' command
}

// With a manual clock, advancing time expires keys deterministically, with
// no sleeping.
func Example_manualClock() {
	clock := ttl.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e, err := engine.Open(engine.Options{Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	db := e.DB("test")

	_, _ = db.Set("token", "t0k3n", engine.SetOptions{TTL: time.Minute})
	clock.Advance(59 * time.Second)
	ms, _ := db.PTTL("token")
	fmt.Println("PTTL after 59s:", ms)

	clock.Advance(time.Second)
	_, found, _ := db.Get("token")
	n, _ := db.DBSize()
	ttlAfter, _ := db.TTL("token")
	fmt.Println("after 60s:", found, n, ttlAfter)
	// Output:
	// PTTL after 59s: 1000
	// after 60s: false 0 -2
}

// A worker waits for jobs with BLPop; a producer's push hands the job
// straight to it.
func ExampleDB_BLPop() {
	e, err := engine.Open(engine.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	db := e.DB("jobs")

	got := make(chan string)
	go func() {
		// Wait up to a minute for a job on either queue.
		key, job, ok, err := db.BLPop(context.Background(), time.Minute, "urgent", "normal")
		if err != nil || !ok {
			log.Fatal("no job: ", err)
		}
		got <- key + ": " + job
	}()
	for db.Blocked() == 0 { // only to make the example's output certain
		runtime.Gosched()
	}
	_, _ = db.RPush("normal", "resize image 7")
	fmt.Println(<-got)
	// Output:
	// normal: resize image 7
}

// An event loop, which must never block, uses the callback form: the
// answer is returned at once when a key holds data, else delivered later
// (here through a channel; deliver must never block).
func ExampleDB_BlockPop() {
	clock := ttl.NewManual(time.Time{})
	e, err := engine.Open(engine.Options{Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	db := e.DB("app")

	answers := make(chan engine.BlockResult, 1)
	deliver := func(res engine.BlockResult, err error) { answers <- res }
	req := engine.BlockRequest{Op: engine.BlockLPop, Keys: []string{"q"}, Timeout: 5 * time.Second}

	_, cancel, _ := db.BlockPop(req, deliver)
	fmt.Println("queued:", cancel != nil)
	_, _ = db.RPush("q", "a", "b")
	fmt.Println("served by the push:", <-answers)

	res, cancel, _ := db.BlockPop(req, deliver)
	fmt.Println("answered at once:", cancel == nil, res)

	_, cancel, _ = db.BlockPop(engine.BlockRequest{Op: engine.BlockLPop, Keys: []string{"q"}, Timeout: 5 * time.Second}, deliver)
	clock.Advance(5 * time.Second)
	fmt.Println("timed out:", (<-answers).OK, "cancel after the answer:", cancel())
	// Output:
	// queued: true
	// served by the push: {true q [a] []}
	// answered at once: true {true q [b] []}
	// timed out: false cancel after the answer: false
}
