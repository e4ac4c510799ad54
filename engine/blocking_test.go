package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The expected behaviour below is what Debian's redis-server 7.0.15 did
// when asked with redis-cli (several clients blocked in the background,
// then the writes), unless a comment says otherwise.

type gotAnswer struct {
	res BlockResult
	err error
}

// blockHandle is a request queued through the callback form.
type blockHandle struct {
	ch     chan gotAnswer
	calls  atomic.Int32
	cancel func() bool
}

// blockOn queues req and fails if it was answered at once.
func blockOn(t testing.TB, db *DB, req BlockRequest) *blockHandle {
	t.Helper()
	h := &blockHandle{ch: make(chan gotAnswer, 2)}
	res, cancel, err := db.BlockPop(req, func(r BlockResult, err error) {
		h.calls.Add(1)
		h.ch <- gotAnswer{r, err}
	})
	require.NoError(t, err)
	require.NotNil(t, cancel, "answered at once: %+v", res)
	h.cancel = cancel
	return h
}

// answered returns the answer, which must already be there: answers of
// writes and clock advances are delivered before those calls return.
func (h *blockHandle) answered(t testing.TB) gotAnswer {
	t.Helper()
	select {
	case a := <-h.ch:
		return a
	default:
		t.Fatal("not answered")
		return gotAnswer{}
	}
}

// await waits for an answer delivered by another goroutine.
func (h *blockHandle) await(t testing.TB) gotAnswer {
	t.Helper()
	select {
	case a := <-h.ch:
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("no answer within 10s")
		return gotAnswer{}
	}
}

func (h *blockHandle) waiting(t testing.TB) {
	t.Helper()
	select {
	case a := <-h.ch:
		t.Fatalf("answered while it should wait: %+v", a)
	default:
	}
}

func blpop(keys ...string) BlockRequest { return BlockRequest{Op: BlockLPop, Keys: keys} }

func listRes(key string, values ...string) BlockResult {
	return BlockResult{OK: true, Key: key, Values: values}
}

func zRes(key string, ms ...ZMember) BlockResult {
	return BlockResult{OK: true, Key: key, Members: ms}
}

func requireList(t testing.TB, db *DB, key string, want ...string) {
	t.Helper()
	got, err := db.LRange(key, 0, -1)
	require.NoError(t, err)
	if len(want) == 0 {
		require.Empty(t, got, key)
	} else {
		require.Equal(t, want, got, key)
	}
	require.NoError(t, db.ks.Verify())
}

func TestBlockServesAtOnce(t *testing.T) {
	db, _ := openTestDB(t)
	_, err := db.RPush("l", "a", "b", "c", "d")
	require.NoError(t, err)
	_, err = db.ZAdd("z", ZAddOptions{}, ZMember{Member: "x", Score: 1}, ZMember{Member: "y", Score: 2}, ZMember{Member: "w", Score: 3})
	require.NoError(t, err)
	_, err = db.Set("s", "str", SetOptions{})
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		req  BlockRequest
		want BlockResult
		err  error
	}{
		{"blpop first non-empty", blpop("none", "l", "s"), listRes("l", "a"), nil},
		{"brpop", BlockRequest{Op: BlockRPop, Keys: []string{"l"}}, listRes("l", "d"), nil},
		{"blmpop count above length", BlockRequest{Op: BlockLMPop, Keys: []string{"none", "l"}, Side: ListRight, Count: 5}, listRes("l", "c", "b"), nil},
		{"wrong type before data", blpop("none", "s", "z"), BlockResult{}, ErrWrongType},
		{"bzpopmax", BlockRequest{Op: BlockZPopMax, Keys: []string{"z"}}, zRes("z", ZMember{Member: "w", Score: 3}), nil},
		{"bzmpop min", BlockRequest{Op: BlockZMPop, Keys: []string{"z"}, ZSide: ZMin, Count: 2}, zRes("z", ZMember{Member: "x", Score: 1}, ZMember{Member: "y", Score: 2}), nil},
		{"bzpopmin on a list", BlockRequest{Op: BlockZPopMin, Keys: []string{"none", "s"}}, BlockResult{}, ErrWrongType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, cancel, err := db.BlockPop(tc.req, func(BlockResult, error) { t.Error("deliver called") })
			require.Nil(t, cancel)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, res)
			require.NoError(t, db.ks.Verify())
		})
	}
	requireList(t, db, "l")
	n, err := db.Exists("l", "z")
	require.NoError(t, err)
	require.Zero(t, n, "emptied keys are gone")
	require.Zero(t, db.Blocked())
}

func TestBlockErrors(t *testing.T) {
	db, _ := openTestDB(t)
	_, err := db.Set("s", "x", SetOptions{})
	require.NoError(t, err)
	for _, tc := range []struct {
		req  BlockRequest
		text string
	}{
		{BlockRequest{Op: BlockLPop, Keys: []string{"k"}, Timeout: -time.Millisecond}, "ERR timeout is negative"},
		{BlockRequest{Op: BlockLMPop, Keys: []string{"k"}, Count: 1, Timeout: -1}, "ERR timeout is negative"},
		{BlockRequest{Op: BlockLMPop, Keys: []string{"k"}, Count: 0, Timeout: -1}, "ERR count should be greater than 0"},
		{BlockRequest{Op: BlockLMove, Keys: []string{"k"}, Dest: "d", DestSide: 2, Timeout: -1}, "ERR syntax error"},
		{BlockRequest{Op: BlockLMPop, Keys: nil, Count: 0}, "ERR numkeys should be greater than 0"},
		{BlockRequest{Op: BlockLMPop, Keys: []string{"k"}, Count: 0}, "ERR count should be greater than 0"},
		{BlockRequest{Op: BlockZMPop, Keys: []string{"k"}, Count: -1}, "ERR count should be greater than 0"},
		{BlockRequest{Op: BlockLPop}, "ERR wrong number of arguments for 'blpop' command"},
		{BlockRequest{Op: BlockZPopMax}, "ERR wrong number of arguments for 'bzpopmax' command"},
		{BlockRequest{Op: BlockLMove, Keys: []string{"a", "b"}}, "ERR wrong number of arguments for 'blmove' command"},
		{BlockRequest{Op: BlockLMove, Keys: []string{"a"}, Dest: "b", Side: 7}, "ERR syntax error"},
		{BlockRequest{Op: 99, Keys: []string{"a"}}, "ERR syntax error"},
		{blpop("s"), ErrWrongType.Error()},
	} {
		t.Run(tc.text, func(t *testing.T) {
			_, cancel, err := db.BlockPop(tc.req, func(BlockResult, error) {})
			require.Nil(t, cancel)
			require.EqualError(t, err, tc.text)
			// Inside a transaction (MULTI/EXEC) the same checks apply.
			keys := append(append([]string{}, tc.req.Keys...), "k")
			require.NoError(t, db.Atomic(keys, func(tx Txn) error {
				_, err := tx.BlockPop(tc.req)
				require.EqualError(t, err, tc.text)
				return nil
			}))
		})
	}
	_, _, _, err = db.BLMPop(context.Background(), 0, ListLeft, 0, "k")
	require.EqualError(t, err, "ERR count should be greater than 0")
	_, _, _, err = db.BZMPop(context.Background(), -time.Second, ZMax, 1, "k")
	require.EqualError(t, err, "ERR timeout is negative")
	_, _, _, err = db.LMPop(ListLeft, 0, "k")
	require.EqualError(t, err, "ERR count should be greater than 0")
	_, _, _, err = db.ZMPop(ZMin, 1)
	require.EqualError(t, err, "ERR numkeys should be greater than 0")
	require.Zero(t, db.Blocked())
}

func TestLMPopZMPop(t *testing.T) {
	db, _ := openTestDB(t)
	key, vals, found, err := db.LMPop(ListLeft, 2, "a", "b")
	require.NoError(t, err)
	require.False(t, found)
	_, err = db.RPush("b", "1", "2", "3")
	require.NoError(t, err)
	key, vals, found, err = db.LMPop(ListRight, 2, "a", "b")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "b", key)
	require.Equal(t, []string{"3", "2"}, vals)
	requireList(t, db, "b", "1")

	_, err = db.ZAdd("z", ZAddOptions{}, ZMember{Member: "m", Score: 1}, ZMember{Member: "n", Score: 2})
	require.NoError(t, err)
	key, ms, found, err := db.ZMPop(ZMax, 10, "none", "z")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "z", key)
	require.Equal(t, []ZMember{{Member: "n", Score: 2}, {Member: "m", Score: 1}}, ms)
	_, _, _, err = db.ZMPop(ZMin, 1, "b")
	require.ErrorIs(t, err, ErrWrongType)
	require.NoError(t, db.ks.Verify())
}

func TestBlockTimeout(t *testing.T) {
	db, te := openTestDB(t)
	h := blockOn(t, db, BlockRequest{Op: BlockLPop, Keys: []string{"k"}, Timeout: 5 * time.Second})
	forever := blockOn(t, db, blpop("k"))
	require.Equal(t, 1, te.clock.Pending(), "timeout 0 arms no timer")
	te.clock.Advance(5*time.Second - time.Millisecond)
	h.waiting(t)
	te.clock.Advance(time.Millisecond)
	a := h.answered(t)
	require.NoError(t, a.err)
	require.False(t, a.res.OK)
	require.False(t, h.cancel(), "already answered")
	require.Equal(t, 1, db.Blocked())

	te.clock.Advance(1000 * time.Hour)
	forever.waiting(t)
	// A push after the timeout goes to the remaining waiter only.
	_, err := db.RPush("k", "v")
	require.NoError(t, err)
	require.Equal(t, listRes("k", "v"), forever.answered(t).res)
	require.EqualValues(t, 1, h.calls.Load())

	// The blocking form on the manual clock.
	done := make(chan error, 1)
	go func() {
		_, _, ok, err := db.BZPopMin(context.Background(), time.Second, "z")
		if err == nil && ok {
			err = errors.New("popped something")
		}
		done <- err
	}()
	waitForWaiters(t, db, 1)
	te.clock.Advance(time.Second)
	require.NoError(t, <-done)
	require.Zero(t, db.Blocked())
	require.Zero(t, te.clock.Pending(), "answered waiters leave no timer behind")
}

// waitForWaiters waits until n requests are queued in db.
func waitForWaiters(t testing.TB, db *DB, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return db.Blocked() == n }, 10*time.Second, time.Millisecond)
}

func TestBlockFIFOAndMultiElementPush(t *testing.T) {
	db, _ := openTestDB(t)
	f1 := blockOn(t, db, blpop("k"))
	f2 := blockOn(t, db, BlockRequest{Op: BlockRPop, Keys: []string{"k"}})
	f3 := blockOn(t, db, BlockRequest{Op: BlockLMPop, Keys: []string{"k"}, Side: ListLeft, Count: 2})
	f4 := blockOn(t, db, blpop("k"))
	n, err := db.RPush("k", "a", "b", "c", "d", "e")
	require.NoError(t, err)
	require.EqualValues(t, 5, n, "RPUSH answers the length before serving")
	require.Equal(t, listRes("k", "a"), f1.answered(t).res)
	require.Equal(t, listRes("k", "e"), f2.answered(t).res)
	require.Equal(t, listRes("k", "b", "c"), f3.answered(t).res)
	require.Equal(t, listRes("k", "d"), f4.answered(t).res)
	requireList(t, db, "k")
	require.Zero(t, db.Blocked())

	// Fewer elements than waiters: the oldest are served, the rest wait.
	g1 := blockOn(t, db, blpop("k", "other"))
	g2 := blockOn(t, db, blpop("other", "k"))
	g3 := blockOn(t, db, blpop("k"))
	_, err = db.LPush("k", "x", "y")
	require.NoError(t, err)
	require.Equal(t, listRes("k", "y"), g1.answered(t).res)
	require.Equal(t, listRes("k", "x"), g2.answered(t).res)
	g3.waiting(t)
	// g1 and g2 left the queue of "other" too.
	_, err = db.RPush("other", "o")
	require.NoError(t, err)
	requireList(t, db, "other", "o")
	require.Equal(t, 1, db.Blocked())
}

func TestBlockPushServesBeforeOtherPops(t *testing.T) {
	db, _ := openTestDB(t)
	h := blockOn(t, db, blpop("k"))
	_, err := db.RPush("k", "a")
	require.NoError(t, err)
	v, found, err := db.LPop("k")
	require.NoError(t, err)
	require.False(t, found, "LPOP after the push must not take %q from the waiter", v)
	require.Equal(t, listRes("k", "a"), h.answered(t).res)

	// The same with writers racing plain poppers: with as many waiters
	// queued as elements pushed, each push finds a waiter, so every
	// element goes to a waiter and none to an LPOP, whatever the timing.
	const rounds, perRound = 50, 8
	for round := range rounds {
		hs := make([]*blockHandle, perRound)
		for i := range hs {
			hs[i] = blockOn(t, db, blpop("k"))
		}
		stop := make(chan struct{})
		var stolen atomic.Int64
		var poppers, pushers sync.WaitGroup
		for range 2 {
			poppers.Add(1)
			go func() {
				defer poppers.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, found, _ := db.LPop("k"); found {
						stolen.Add(1)
					}
				}
			}()
		}
		for i := range perRound {
			pushers.Add(1)
			go func() {
				defer pushers.Done()
				if _, err := db.RPush("k", fmt.Sprintf("%d-%d", round, i)); err != nil {
					t.Error(err)
				}
			}()
		}
		pushers.Wait()
		close(stop)
		poppers.Wait()
		require.Zero(t, stolen.Load(), "round %d", round)
		seen := map[string]bool{}
		for _, h := range hs {
			a := h.answered(t)
			require.NoError(t, a.err)
			require.Len(t, a.res.Values, 1)
			seen[a.res.Values[0]] = true
		}
		require.Len(t, seen, perRound)
	}
	requireList(t, db, "k")
}

func TestBlockTransactionSeesItsOwnPush(t *testing.T) {
	db, _ := openTestDB(t)
	h := blockOn(t, db, blpop("k"))
	var popped string
	require.NoError(t, db.Atomic([]string{"k"}, func(tx Txn) error {
		if _, err := tx.RPush("k", "a", "b"); err != nil {
			return err
		}
		v, _, err := tx.LPop("k")
		popped = v
		h.waiting(t) // nobody is served before the transaction ends
		return err
	}))
	require.Equal(t, "a", popped)
	require.Equal(t, listRes("k", "b"), h.answered(t).res)
	requireList(t, db, "k")

	// A blocking command inside a transaction does not block.
	require.NoError(t, db.Atomic([]string{"k"}, func(tx Txn) error {
		res, err := tx.BlockPop(blpop("k"))
		require.NoError(t, err)
		require.False(t, res.OK)
		return nil
	}))
}

func TestBlockMove(t *testing.T) {
	t.Run("chain", func(t *testing.T) {
		db, _ := openTestDB(t)
		h1 := blockOn(t, db, BlockRequest{Op: BlockLMove, Keys: []string{"a"}, Dest: "b", Side: ListRight, DestSide: ListLeft})
		h2 := blockOn(t, db, blpop("b"))
		_, err := db.RPush("a", "x", "y")
		require.NoError(t, err)
		require.Equal(t, listRes("a", "y"), h1.answered(t).res)
		require.Equal(t, listRes("b", "y"), h2.answered(t).res)
		requireList(t, db, "a", "x")
		requireList(t, db, "b")
	})
	t.Run("onto itself", func(t *testing.T) {
		db, _ := openTestDB(t)
		h1 := blockOn(t, db, BlockRequest{Op: BlockLMove, Keys: []string{"k"}, Dest: "k", Side: ListRight, DestSide: ListLeft})
		h2 := blockOn(t, db, blpop("k"))
		_, err := db.RPush("k", "x")
		require.NoError(t, err)
		require.Equal(t, listRes("k", "x"), h1.answered(t).res)
		require.Equal(t, listRes("k", "x"), h2.answered(t).res)
		requireList(t, db, "k")
	})
	t.Run("round trip back to a served key", func(t *testing.T) {
		// Not asked of Redis: follows from its rule that a created key
		// serves its waiters, however often it is created.
		db, _ := openTestDB(t)
		h1 := blockOn(t, db, BlockRequest{Op: BlockLMove, Keys: []string{"a"}, Dest: "b"})
		h2 := blockOn(t, db, BlockRequest{Op: BlockLMove, Keys: []string{"b"}, Dest: "a"})
		h3 := blockOn(t, db, blpop("a"))
		_, err := db.RPush("a", "x")
		require.NoError(t, err)
		require.Equal(t, listRes("a", "x"), h1.answered(t).res)
		require.Equal(t, listRes("b", "x"), h2.answered(t).res)
		require.Equal(t, listRes("a", "x"), h3.answered(t).res)
		requireList(t, db, "a")
		requireList(t, db, "b")
	})
	t.Run("destination of another type", func(t *testing.T) {
		db, _ := openTestDB(t)
		m1 := blockOn(t, db, BlockRequest{Op: BlockLMove, Keys: []string{"src"}, Dest: "d", Side: ListLeft, DestSide: ListRight})
		m2 := blockOn(t, db, blpop("src"))
		_, err := db.Set("d", "str", SetOptions{})
		require.NoError(t, err)
		_, err = db.RPush("src", "q", "r")
		require.NoError(t, err)
		require.ErrorIs(t, m1.answered(t).err, ErrWrongType)
		require.Equal(t, listRes("src", "q"), m2.answered(t).res)
		requireList(t, db, "src", "r")
		// At once, when the source has data.
		_, _, err = db.BLMove(context.Background(), 0, "src", "d", ListLeft, ListRight)
		require.ErrorIs(t, err, ErrWrongType)
		requireList(t, db, "src", "r")
	})
	t.Run("at once, serving the destination's waiters", func(t *testing.T) {
		db, _ := openTestDB(t)
		h := blockOn(t, db, blpop("dst"))
		_, err := db.RPush("src", "1", "2")
		require.NoError(t, err)
		v, ok, err := db.BRPopLPush(context.Background(), 0, "src", "dst")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "2", v)
		require.Equal(t, listRes("dst", "2"), h.answered(t).res)
		requireList(t, db, "dst")
		// Plain LMOVE and RENAME serve waiters too.
		h = blockOn(t, db, blpop("dst"))
		_, _, err = db.LMove("src", "dst", ListLeft, ListLeft)
		require.NoError(t, err)
		require.Equal(t, listRes("dst", "1"), h.answered(t).res)
		h = blockOn(t, db, blpop("dst"))
		_, err = db.RPush("src", "a", "b")
		require.NoError(t, err)
		require.NoError(t, db.Rename("src", "dst"))
		require.Equal(t, listRes("dst", "a"), h.answered(t).res)
		requireList(t, db, "dst", "b")
	})
}

func TestBlockMoveAcrossShards(t *testing.T) {
	db, _ := openTestDB(t)
	lo, hi := shardPair(t, db)
	for _, tc := range []struct{ src, dst string }{{lo, hi}, {hi, lo}} {
		h := blockOn(t, db, BlockRequest{Op: BlockLMove, Keys: []string{tc.src}, Dest: tc.dst})
		h2 := blockOn(t, db, blpop(tc.dst, tc.src))
		_, err := db.RPush(tc.src, "v")
		require.NoError(t, err)
		require.Equal(t, listRes(tc.src, "v"), h.answered(t).res)
		require.Equal(t, listRes(tc.dst, "v"), h2.answered(t).res)
		requireList(t, db, tc.src)
		requireList(t, db, tc.dst)
	}

	// The destination's shard comes first and is busy: the element leaves
	// the source at once and reaches the destination once the shard is
	// free; the pusher returns after that.
	h := blockOn(t, db, BlockRequest{Op: BlockLMove, Keys: []string{hi}, Dest: lo})
	inside, release := make(chan struct{}), make(chan struct{})
	go func() {
		_ = db.run(lo, func(Txn) error { close(inside); <-release; return nil })
	}()
	<-inside
	pushed := make(chan error, 1)
	go func() { _, err := db.RPush(hi, "v"); pushed <- err }()
	waitForWaiters(t, db, 0) // claimed by the pusher
	n, err := db.LLen(hi)
	require.NoError(t, err)
	require.Zero(t, n, "the element left the source")
	h.waiting(t)
	close(release)
	require.NoError(t, <-pushed)
	require.Equal(t, listRes(hi, "v"), h.answered(t).res)
	requireList(t, db, lo, "v")
	requireList(t, db, hi)
}

// shardPair finds two keys of db whose shards are in ascending order.
func shardPair(t testing.TB, db *DB) (lo, hi string) {
	t.Helper()
	first := "key-0"
	s0 := db.ks.ShardOf(first)
	for i := 1; i < 1000; i++ {
		k := fmt.Sprintf("key-%d", i)
		switch s := db.ks.ShardOf(k); {
		case s < s0:
			return k, first
		case s > s0:
			return first, k
		}
	}
	t.Fatal("no two keys in different shards")
	return "", ""
}

func TestBlockTypeChange(t *testing.T) {
	db, _ := openTestDB(t)
	h := blockOn(t, db, blpop("k"))
	_, err := db.Set("k", "x", SetOptions{})
	require.NoError(t, err)
	h.waiting(t)
	_, err = db.Del("k")
	require.NoError(t, err)
	_, err = db.LPush("k", "a")
	require.NoError(t, err)
	require.Equal(t, listRes("k", "a"), h.answered(t).res)

	// A sorted set serves sorted-set waiters only, whatever the order.
	hl := blockOn(t, db, blpop("k"))
	hz := blockOn(t, db, BlockRequest{Op: BlockZPopMin, Keys: []string{"k"}})
	_, err = db.ZAdd("k", ZAddOptions{}, ZMember{Member: "m", Score: 1}, ZMember{Member: "n", Score: 2})
	require.NoError(t, err)
	require.Equal(t, zRes("k", ZMember{Member: "m", Score: 1}), hz.answered(t).res)
	hl.waiting(t)
	_, err = db.Del("k")
	require.NoError(t, err)
	_, err = db.RPush("k", "z")
	require.NoError(t, err)
	require.Equal(t, listRes("k", "z"), hl.answered(t).res)

	// Created then replaced by a string in one transaction: nobody served.
	h = blockOn(t, db, blpop("k"))
	require.NoError(t, db.Atomic([]string{"k"}, func(tx Txn) error {
		if _, err := tx.RPush("k", "a"); err != nil {
			return err
		}
		_, err := tx.Set("k", "str", SetOptions{})
		return err
	}))
	h.waiting(t)
	typ, err := db.Type("k")
	require.NoError(t, err)
	require.Equal(t, TypeString, typ)

	// Created then deleted in one transaction: still waiting.
	_, err = db.Del("k")
	require.NoError(t, err)
	require.NoError(t, db.Atomic([]string{"k"}, func(tx Txn) error {
		if _, err := tx.RPush("k", "a"); err != nil {
			return err
		}
		tx.Del("k")
		return nil
	}))
	h.waiting(t)
	require.True(t, h.cancel())

	// The type of a waiter's other keys does not matter when one serves it.
	h = blockOn(t, db, blpop("a", "b"))
	_, err = db.Set("b", "str", SetOptions{})
	require.NoError(t, err)
	_, err = db.RPush("a", "x")
	require.NoError(t, err)
	require.Equal(t, listRes("a", "x"), h.answered(t).res)
	require.NoError(t, db.ks.Verify())
}

func TestBlockZSetServing(t *testing.T) {
	db, _ := openTestDB(t)
	z1 := blockOn(t, db, BlockRequest{Op: BlockZPopMax, Keys: []string{"z"}})
	z2 := blockOn(t, db, BlockRequest{Op: BlockZMPop, Keys: []string{"z"}, ZSide: ZMin, Count: 5})
	z3 := blockOn(t, db, BlockRequest{Op: BlockZPopMin, Keys: []string{"z"}})
	z4 := blockOn(t, db, blpop("z"))
	_, err := db.ZAdd("z", ZAddOptions{}, ZMember{Member: "a", Score: 1}, ZMember{Member: "b", Score: 2},
		ZMember{Member: "c", Score: 3}, ZMember{Member: "d", Score: 4})
	require.NoError(t, err)
	require.Equal(t, zRes("z", ZMember{Member: "d", Score: 4}), z1.answered(t).res)
	require.Equal(t, zRes("z", ZMember{Member: "a", Score: 1}, ZMember{Member: "b", Score: 2}, ZMember{Member: "c", Score: 3}), z2.answered(t).res)
	z3.waiting(t)
	z4.waiting(t)
	require.Equal(t, 2, db.Blocked())
	require.NoError(t, db.ks.Verify())
}

func TestBlockCancel(t *testing.T) {
	db, _ := openTestDB(t)
	h := blockOn(t, db, blpop("k"))
	require.True(t, h.cancel())
	require.False(t, h.cancel())
	_, err := db.RPush("k", "a")
	require.NoError(t, err)
	requireList(t, db, "k", "a")
	require.Zero(t, h.calls.Load())

	_, err = db.Del("k")
	require.NoError(t, err)
	h = blockOn(t, db, blpop("k"))
	_, err = db.RPush("k", "a")
	require.NoError(t, err)
	require.False(t, h.cancel(), "served already")
	require.Equal(t, listRes("k", "a"), h.answered(t).res)
}

// TestBlockCancelRace has waiters that cancel at random while writers push:
// every element pushed is popped by exactly one waiter whose cancel did
// not succeed, or is still in the list.
func TestBlockCancelRace(t *testing.T) {
	db, _ := openTestDB(t)
	const (
		pushers   = 4
		perPusher = 300
		waiters   = 6
	)
	keys := []string{"a", "b", "c"}
	var (
		mu                       sync.Mutex
		received                 = map[string]int{}
		cancelled, raced, atOnce atomic.Int64
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for {
				select {
				case <-stop:
					return
				default:
				}
				ch := make(chan gotAnswer, 1)
				req := blpop(keys[r.IntN(len(keys))], keys[r.IntN(len(keys))])
				if r.IntN(2) == 0 {
					req = BlockRequest{Op: BlockLMPop, Keys: req.Keys, Side: ListRight, Count: 2}
				}
				res, cancel, err := db.BlockPop(req, func(r BlockResult, err error) { ch <- gotAnswer{r, err} })
				if err != nil {
					t.Error(err)
					return
				}
				if cancel != nil {
					if r.IntN(3) == 0 {
						time.Sleep(time.Duration(r.IntN(50)) * time.Microsecond) // let pushes race the cancel
					}
					if cancel() {
						cancelled.Add(1)
						select {
						case a := <-ch:
							t.Errorf("cancelled waiter answered: %+v", a)
						default:
						}
						continue
					}
					raced.Add(1) // served before it could cancel
					a := <-ch
					if a.err != nil {
						t.Error(a.err)
						return
					}
					res = a.res
				} else if res.OK {
					atOnce.Add(1)
				}
				mu.Lock()
				for _, v := range res.Values {
					received[v]++
				}
				mu.Unlock()
			}
		}()
	}
	var pw sync.WaitGroup
	for p := range pushers {
		pw.Add(1)
		go func() {
			defer pw.Done()
			for i := range perPusher {
				if _, err := db.RPush(keys[(p+i)%len(keys)], fmt.Sprintf("%d-%d", p, i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	pw.Wait()
	close(stop)
	wg.Wait()
	for _, k := range keys {
		rest, err := db.LRange(k, 0, -1)
		require.NoError(t, err)
		for _, v := range rest {
			received[v]++
		}
	}
	t.Logf("cancelled %d, served while cancelling %d, served at once %d", cancelled.Load(), raced.Load(), atOnce.Load())
	require.Len(t, received, pushers*perPusher)
	for v, n := range received {
		require.Equal(t, 1, n, "element %s seen %d times", v, n)
	}
	require.Zero(t, db.Blocked())
	require.NoError(t, db.ks.Verify())
}

func TestBlockClose(t *testing.T) {
	te := openTestEngine(t, Options{})
	db := te.DB("a")
	h1 := blockOn(t, db, blpop("k"))
	h2 := blockOn(t, db, BlockRequest{Op: BlockZMPop, Keys: []string{"x", "y"}, Count: 1, Timeout: time.Minute})
	done := make(chan error, 1)
	go func() { _, _, _, err := db.BLPop(context.Background(), 0, "k"); done <- err }()
	waitForWaiters(t, db, 3)
	require.NoError(t, te.Close())
	require.ErrorIs(t, h1.answered(t).err, ErrClosed)
	require.ErrorIs(t, h2.answered(t).err, ErrClosed)
	require.ErrorIs(t, <-done, ErrClosed)
	require.False(t, h1.cancel())
	te.clock.Advance(time.Hour) // the timeout was disarmed: no second answer
	require.NoError(t, te.Close())
	require.EqualValues(t, 1, h1.calls.Load())
	require.EqualValues(t, 1, h2.calls.Load())
	_, cancel, err := db.BlockPop(blpop("k"), func(BlockResult, error) {})
	require.Nil(t, cancel)
	require.ErrorIs(t, err, ErrClosed)
	require.Zero(t, te.clock.Pending())
}

func TestBlockNamespacesApart(t *testing.T) {
	te := openTestEngine(t, Options{})
	one, two := te.DB("one"), te.DB("two")
	h := blockOn(t, one, blpop("k"))
	_, err := two.RPush("k", "b")
	require.NoError(t, err)
	h.waiting(t)
	requireList(t, two, "k", "b")
	_, err = one.RPush("k", "a")
	require.NoError(t, err)
	require.Equal(t, listRes("k", "a"), h.answered(t).res)
	requireList(t, one, "k")
}

func TestBlockContextCancel(t *testing.T) {
	db, _ := openTestDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, _, _, err := db.BLPop(ctx, 0, "k"); done <- err }()
	waitForWaiters(t, db, 1)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	require.Zero(t, db.Blocked())
	_, err := db.RPush("k", "a")
	require.NoError(t, err)
	requireList(t, db, "k", "a")

	// Already cancelled: nothing is popped even though there is data.
	_, _, ok, err := db.BRPop(ctx, 0, "k")
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, ok)
	requireList(t, db, "k", "a")

	// A ctx past its deadline: nothing is queued.
	ctx2, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()
	_, _, _, err = db.BZMPop(ctx2, 0, ZMin, 1, "z")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Zero(t, db.Blocked())
}

func TestBlockingForms(t *testing.T) {
	db, _ := openTestDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type out struct {
		a, b any
		err  error
	}
	run := func(f func() (any, any, error)) chan out {
		ch := make(chan out, 1)
		go func() { a, b, err := f(); ch <- out{a, b, err} }()
		return ch
	}
	c1 := run(func() (any, any, error) { k, v, _, err := db.BRPop(ctx, 0, "l"); return k, v, err })
	waitForWaiters(t, db, 1)
	c2 := run(func() (any, any, error) { k, vs, _, err := db.BLMPop(ctx, 0, ListLeft, 3, "l"); return k, vs, err })
	waitForWaiters(t, db, 2)
	c3 := run(func() (any, any, error) { k, m, _, err := db.BZPopMax(ctx, 0, "z"); return k, m, err })
	c4 := run(func() (any, any, error) { k, ms, _, err := db.BZMPop(ctx, 0, ZMax, 2, "z"); return k, ms, err })
	waitForWaiters(t, db, 4)
	_, err := db.RPush("l", "1", "2", "3")
	require.NoError(t, err)
	require.Equal(t, out{"l", "3", nil}, <-c1)
	require.Equal(t, out{"l", []string{"1", "2"}, nil}, <-c2)
	_, err = db.ZAdd("z", ZAddOptions{}, ZMember{Member: "a", Score: 1}, ZMember{Member: "b", Score: 2}, ZMember{Member: "c", Score: 3})
	require.NoError(t, err)
	// c3 and c4 queued in an order the test does not control; whichever
	// came first takes c.
	o3, o4 := <-c3, <-c4
	require.NoError(t, o3.err)
	require.NoError(t, o4.err)
	if o3.b == (ZMember{Member: "c", Score: 3}) {
		require.Equal(t, []ZMember{{Member: "b", Score: 2}, {Member: "a", Score: 1}}, o4.b)
	} else {
		require.Equal(t, ZMember{Member: "a", Score: 1}, o3.b)
		require.Equal(t, []ZMember{{Member: "c", Score: 3}, {Member: "b", Score: 2}}, o4.b)
	}
	require.Zero(t, db.Blocked())
}

// BenchmarkBlockHandoff measures a push answered by a queued BLPOP: the
// callback form's queueing, the push serving it and the delivery, in one
// goroutine, and the blocking form with a consumer goroutine.
func BenchmarkBlockHandoff(b *testing.B) {
	b.Run("callback", func(b *testing.B) {
		db, _ := openTestDB(b)
		ch := make(chan BlockResult, 1)
		deliver := func(r BlockResult, _ error) { ch <- r }
		req := blpop("k")
		b.ReportAllocs()
		for b.Loop() {
			if _, cancel, err := db.BlockPop(req, deliver); err != nil || cancel == nil {
				b.Fatal("not queued", err)
			}
			if _, err := db.RPush("k", "v"); err != nil {
				b.Fatal(err)
			}
			<-ch
		}
	})
	b.Run("goroutines", func(b *testing.B) {
		db, _ := openTestDB(b)
		ctx := context.Background()
		n := b.N
		ack := make(chan struct{})
		go func() {
			for range n {
				if _, _, _, err := db.BLPop(ctx, 0, "k"); err != nil {
					b.Error(err)
				}
				ack <- struct{}{}
			}
		}()
		b.ReportAllocs()
		b.ResetTimer()
		for range n {
			if _, err := db.RPush("k", "v"); err != nil {
				b.Fatal(err)
			}
			<-ack
		}
	})
}

// TestBlockMoveStress moves elements between lists through queued BLMOVEs
// (across shards in both orders, so with Hold's waiting and trying paths
// and the two-step fallback), plain LMOVEs, transactions and BLPOPs, with
// cancels at random: no deadlock, and every element pushed is popped
// exactly once or is still in some list at the end.
func TestBlockMoveStress(t *testing.T) {
	te := openTestEngine(t, Options{})
	db := te.DB("stress")
	keys := make([]string, 6)
	for i := range keys {
		keys[i] = fmt.Sprintf("list-%d", i)
	}
	var (
		mu     sync.Mutex
		popped = map[string]int{}
		moved  atomic.Int64
	)
	stop := make(chan struct{})
	var clients sync.WaitGroup
	client := func(seed uint64, move bool) {
		defer clients.Done()
		r := rand.New(rand.NewPCG(seed, 2))
		key := func() string { return keys[r.IntN(len(keys))] }
		side := func() ListSide { return ListSide(r.IntN(2)) }
		for {
			select {
			case <-stop:
				return
			default:
			}
			req := blpop(key(), key())
			if move {
				req = BlockRequest{Op: BlockLMove, Keys: []string{key()}, Dest: key(), Side: side(), DestSide: side()}
			}
			ch := make(chan gotAnswer, 1)
			res, cancel, err := db.BlockPop(req, func(r BlockResult, err error) { ch <- gotAnswer{r, err} })
			if err != nil {
				t.Error(err)
				return
			}
			if cancel != nil {
				select {
				case a := <-ch:
					res, err = a.res, a.err
				case <-stop:
					if cancel() {
						return
					}
					a := <-ch
					res, err = a.res, a.err
				default:
					if r.IntN(4) == 0 && cancel() {
						continue
					}
					select {
					case a := <-ch:
						res, err = a.res, a.err
					case <-stop:
						if cancel() {
							return
						}
						a := <-ch
						res, err = a.res, a.err
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
			if move && res.OK {
				moved.Add(1)
			}
			if !move && res.OK {
				mu.Lock()
				popped[res.Values[0]]++
				mu.Unlock()
			}
		}
	}
	for i := range 4 {
		clients.Add(2)
		go client(uint64(i), true)
		go client(uint64(100+i), false)
	}
	const perPusher = 400
	var pushers sync.WaitGroup
	for p := range 3 {
		pushers.Add(1)
		go func() {
			defer pushers.Done()
			r := rand.New(rand.NewPCG(uint64(p), 3))
			for i := range perPusher {
				v := fmt.Sprintf("%d-%d", p, i)
				a, b := keys[r.IntN(len(keys))], keys[r.IntN(len(keys))]
				var err error
				switch r.IntN(3) {
				case 0:
					_, err = db.RPush(a, v)
				case 1:
					// A transaction pushing onto two keys, then moving.
					err = db.Atomic([]string{a, b}, func(tx Txn) error {
						if _, err := tx.LPush(a, v); err != nil {
							return err
						}
						_, _, err := tx.LMove(a, b, ListLeft, ListRight)
						return err
					})
				default:
					if _, err = db.LPush(a, v); err == nil {
						_, _, err = db.LMove(b, a, ListRight, ListLeft)
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	finished := make(chan struct{})
	go func() {
		pushers.Wait()
		close(stop)
		clients.Wait()
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(2 * time.Minute):
		t.Fatal("stuck: a deadlock between serving transactions?")
	}
	t.Logf("moved %d, popped %d", moved.Load(), len(popped))
	require.Zero(t, db.Blocked())
	total := map[string]int{}
	for v, n := range popped {
		total[v] += n
	}
	for _, k := range keys {
		rest, err := db.LRange(k, 0, -1)
		require.NoError(t, err)
		for _, v := range rest {
			total[v]++
		}
	}
	require.Len(t, total, 3*perPusher)
	for v, n := range total {
		require.Equal(t, 1, n, "element %s seen %d times", v, n)
	}
	require.NoError(t, db.ks.Verify())
}
