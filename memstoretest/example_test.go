package memstoretest_test

// Runnable examples of the client against a real in-process server. In a
// test, use memstoretest.Start(t) instead of New and Close.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/isa-cloud/isa-memstore/client"
	"github.com/isa-cloud/isa-memstore/memstoretest"
)

// start runs a server for one example.
func start() *memstoretest.Server {
	srv, err := memstoretest.New()
	if err != nil {
		panic(err)
	}
	return srv
}

// Caching with a TTL: read through the cache, load and store on a miss.
// The server's manual clock makes the expiry visible without waiting.
func Example_cacheWithTTL() {
	srv := start()
	defer srv.Close()
	c, ctx := srv.Client, context.Background()

	loadUser := func(id string) string { return "user " + id + " from the database" }
	getUser := func(id string) (string, error) {
		key := "cache:user:" + id
		v, err := c.Get(ctx, key)
		if err == nil {
			return v + " (cached)", nil
		}
		if !errors.Is(err, client.Nil) {
			return "", err // a real failure, not a miss
		}
		v = loadUser(id)
		return v, c.SetTTL(ctx, key, v, 5*time.Minute)
	}

	fmt.Println(getUser("42"))
	fmt.Println(getUser("42"))
	srv.Advance(5 * time.Minute)
	fmt.Println(getUser("42"))
	// Output:
	// user 42 from the database <nil>
	// user 42 from the database (cached) <nil>
	// user 42 from the database <nil>
}

// Rate limiting with INCR and a TTL: a fixed window of one minute allowing
// three requests per client.
func Example_rateLimit() {
	srv := start()
	defer srv.Close()
	c, ctx := srv.Client, context.Background()

	allow := func(clientID string) (bool, error) {
		key := "ratelimit:" + clientID
		n, err := c.Incr(ctx, key)
		if err != nil {
			return false, err
		}
		if n == 1 { // the first request opens the window
			if _, err := c.Expire(ctx, key, time.Minute); err != nil {
				return false, err
			}
		}
		return n <= 3, nil
	}

	var verdicts []string
	for range 5 {
		ok, _ := allow("api-key-1")
		verdicts = append(verdicts, fmt.Sprint(ok))
	}
	fmt.Println(strings.Join(verdicts, " "))
	srv.Advance(time.Minute) // a new window
	ok, _ := allow("api-key-1")
	fmt.Println(ok)
	// Output:
	// true true true false false
	// true
}

// Sessions: create, read, update, list and delete a user's session.
func Example_sessions() {
	srv := start()
	defer srv.Close()
	c, ctx := srv.Client, context.Background()

	id, _, err := c.CreateSession(ctx, map[string]string{"cart": "3 items"}, 30*time.Minute)
	if err != nil {
		panic(err)
	}
	if _, err := c.UpdateSession(ctx, id, map[string]string{"step": "payment"}, true); err != nil {
		panic(err)
	}
	s, err := c.GetSession(ctx, id)
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Data["cart"], "/", s.Data["step"])
	all, _ := c.ListSessions(ctx)
	fmt.Println(len(all), "session(s)")

	deleted, _ := c.DeleteSession(ctx, id)
	_, err = c.GetSession(ctx, id)
	fmt.Println(deleted, errors.Is(err, client.Nil))
	// Output:
	// 3 items / payment
	// 1 session(s)
	// true true
}

// A leaderboard on a sorted set: scores, increments, the top players and
// one player's rank.
func Example_leaderboard() {
	srv := start()
	defer srv.Close()
	c, ctx := srv.Client, context.Background()

	_, err := c.ZAdd(ctx, "board",
		client.Z{Member: "alice", Score: 120},
		client.Z{Member: "bob", Score: 90},
		client.Z{Member: "carol", Score: 150},
		client.Z{Member: "dave", Score: 60})
	if err != nil {
		panic(err)
	}
	if _, err := c.ZIncrBy(ctx, "board", "bob", 50); err != nil { // bob: 140
		panic(err)
	}
	top, _ := c.ZRangeWithScores(ctx, "board", -3, -1) // the 3 highest, ascending
	slices.Reverse(top)
	for i, z := range top {
		fmt.Printf("%d. %s %.0f\n", i+1, z.Member, z.Score)
	}
	rank, _ := c.ZRank(ctx, "board", "dave") // ascending: 0 is the lowest
	fmt.Println("dave is last:", rank == 0)
	// Output:
	// 1. carol 150
	// 2. bob 140
	// 3. alice 120
	// dave is last: true
}

// A distributed lock: WithLock waits for the lock, renews it while the
// function runs and releases it afterwards, so the read-modify-write below
// never loses an update although it is not atomic.
func Example_lock() {
	srv := start()
	defer srv.Close()
	c := srv.Client
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			err := c.WithLock(ctx, "invoice-counter", 10*time.Second, func(ctx context.Context) error {
				n, err := c.Get(ctx, "invoices")
				if err != nil && !errors.Is(err, client.Nil) {
					return err
				}
				return c.Set(ctx, "invoices", n+"|")
			})
			if err != nil {
				fmt.Println(err)
			}
		})
	}
	wg.Wait()
	v, _ := c.Get(ctx, "invoices")
	fmt.Println(v)
	// Output:
	// |||||
}

// Publish and subscribe: messages arrive on a Go channel, in order, until
// Close.
func Example_pubSub() {
	srv := start()
	defer srv.Close()
	c, ctx := srv.Client, context.Background()

	sub, err := c.Subscribe(ctx, "orders")
	if err != nil {
		panic(err)
	}
	// Subscribe returned: the subscription is live on the server.
	for _, m := range []string{"created", "paid", "shipped"} {
		n, _ := c.Publish(ctx, "orders", m)
		fmt.Println("delivered to", n)
	}
	for range 3 {
		m := <-sub.C()
		fmt.Println(m.Channel, m.Payload)
	}
	_ = sub.Close()
	_, open := <-sub.C()
	fmt.Println(open, sub.Err())
	// Output:
	// delivered to 1
	// delivered to 1
	// delivered to 1
	// orders created
	// orders paid
	// orders shipped
	// false <nil>
}

// Batching: MSet and MGet move many keys in one request each; a Batcher
// turns the Gets of many goroutines into few GetMultiple requests, each
// goroutine still receiving its own value.
func Example_batching() {
	srv := start()
	defer srv.Close()
	c, ctx := srv.Client, context.Background()

	if err := c.MSet(ctx, map[string]string{"a": "1", "b": "2", "c": "3"}); err != nil {
		panic(err)
	}
	vals, _ := c.MGet(ctx, "a", "b", "missing")
	fmt.Println(vals)

	b := client.NewBatcher(c, client.BatcherOptions{MaxSize: 100, MaxWait: time.Millisecond})
	defer b.Close()
	got := make([]string, 3)
	var wg sync.WaitGroup
	for i, key := range []string{"a", "b", "c"} {
		wg.Go(func() { got[i], _ = b.Get(ctx, key) })
	}
	wg.Wait()
	fmt.Println(got)

	_, err := c.ExecuteBatch(ctx,
		client.BatchCommand{Op: "INCR", Key: "a"},
		client.BatchCommand{Op: "INCR", Key: "new-counter"},
		client.BatchCommand{Op: "FROB", Key: "b"})
	var be *client.BatchError
	if errors.As(err, &be) {
		fmt.Println(be.Executed, "executed;", len(be.Failed), "failed:", be.Failed[0].Op, be.Failed[0].Key)
	}
	// Output:
	// map[a:1 b:2]
	// [1 2 3]
	// 2 executed; 1 failed: FROB b
}

// Missing values and server errors: Nil for a miss, sentinels for errors.
func Example_errors() {
	srv := start()
	defer srv.Close()
	c, ctx := srv.Client, context.Background()

	_, err := c.Get(ctx, "nothing-here")
	fmt.Println(errors.Is(err, client.Nil))

	_, _ = c.RPush(ctx, "list", "x")
	_, err = c.Get(ctx, "list")
	fmt.Println(errors.Is(err, client.ErrWrongType), err)

	_ = c.Set(ctx, "name", "bob")
	_, err = c.Incr(ctx, "name")
	fmt.Println(errors.Is(err, client.ErrNotInteger), errors.Is(err, client.ErrInvalidArgument))
	// Output:
	// true
	// true memstore: WRONGTYPE Operation against a key holding the wrong kind of value (FailedPrecondition)
	// true true
}
