package engine

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/isa-cloud/isa-memstore/store"
	"github.com/isa-cloud/isa-memstore/ttl"
)

// Blocking pops: BLPOP, BRPOP, BLMPOP, BLMOVE (and BRPOPLPUSH), BZPOPMIN,
// BZPOPMAX and BZMPOP, with Redis 7.0's semantics:
//
//   - When a key holds data, the command is served at once from the first
//     non-empty key in argument order, exactly like its non-blocking form;
//     a key of another type met before that is ErrWrongType.
//   - Otherwise the caller waits. Callers waiting on the same key are served
//     in the order they started waiting, by the transaction that created the
//     key, after its last command and before its shard locks are released:
//     no other caller can take the element first. A transaction that pushes
//     and pops (MULTI/EXEC, Atomic, Batch) sees its own effects, as Redis
//     serves blocked clients after EXEC. One push of several elements can
//     serve several waiters, and BLMOVE's push onto its destination serves
//     the destination's waiters in turn.
//   - A key that becomes another type (SET, ZADD on a list waited for)
//     serves nobody; its waiters stay blocked, as in Redis 7.0 (a later list
//     under the same name serves them). A BLMOVE whose destination holds
//     another type when it is served gets ErrWrongType and the element stays
//     in the source, as in Redis 7.0. Deleted and expired keys leave their
//     waiters blocked.
//   - The timeout (0: wait forever) runs on the engine's clock.
//
// Only a key's creation (a push onto an absent key, LMOVE's or RENAME's
// destination, ZADD creating a sorted set) can make a waited-for key
// non-empty: a key that exists already holds data, so nobody waits on it.
// Those write paths call keyReady, which costs one atomic load while
// nobody waits in the namespace.

// Redis's errors for the blocking commands' arguments.
var (
	errTimeoutNegative  = invalidArg("ERR timeout is negative")
	errCountNotPositive = invalidArg("ERR count should be greater than 0")
	errNumKeys          = invalidArg("ERR numkeys should be greater than 0")
)

// BlockOp is the command a BlockRequest runs.
type BlockOp uint8

// The blocking commands.
const (
	// BlockLPop is BLPOP: the head of the first non-empty list.
	BlockLPop BlockOp = iota
	// BlockRPop is BRPOP: the tail of the first non-empty list.
	BlockRPop
	// BlockLMPop is BLMPOP: up to Count elements from the Side end of the
	// first non-empty list.
	BlockLMPop
	// BlockLMove is BLMOVE: the Side end of the list Keys[0] moves onto
	// the DestSide end of Dest. BRPOPLPUSH is Side ListRight, DestSide
	// ListLeft.
	BlockLMove
	// BlockZPopMin is BZPOPMIN: the lowest member of the first non-empty
	// sorted set.
	BlockZPopMin
	// BlockZPopMax is BZPOPMAX: the highest member.
	BlockZPopMax
	// BlockZMPop is BZMPOP: up to Count members, the highest first when
	// ZSide is ZMax, else the lowest first.
	BlockZMPop
)

// name is the command's name, for arity errors.
func (op BlockOp) name() string {
	switch op {
	case BlockLPop:
		return "blpop"
	case BlockRPop:
		return "brpop"
	case BlockLMPop:
		return "blmpop"
	case BlockLMove:
		return "blmove"
	case BlockZPopMin:
		return "bzpopmin"
	case BlockZPopMax:
		return "bzpopmax"
	default:
		return "bzmpop"
	}
}

// serves reports whether op pops from values of type typ.
func (op BlockOp) serves(typ store.Type) bool {
	if op >= BlockZPopMin {
		return typ == store.TypeZSet
	}
	return typ == store.TypeList
}

// ZSide is the end of a sorted set that ZMPOP and BZMPOP pop from.
type ZSide uint8

// ZMPOP's MIN and MAX.
const (
	// ZMin pops the lowest scores first.
	ZMin ZSide = iota
	// ZMax pops the highest scores first.
	ZMax
)

// BlockRequest is one blocking command. Which fields matter depends on Op.
// A waiting request keeps its strings until it is answered, so they must
// not share memory that the caller reuses.
type BlockRequest struct {
	Op BlockOp
	// Keys are the keys tried in order (BLMOVE: exactly one, the source).
	Keys []string
	// Side is the end popped by BlockLMPop and BlockLMove.
	Side ListSide
	// Dest and DestSide are BlockLMove's destination and the end it pushes.
	Dest     string
	DestSide ListSide
	// ZSide is BlockZMPop's MIN or MAX.
	ZSide ZSide
	// Count is BlockLMPop's and BlockZMPop's COUNT: at most this many
	// elements; it must be at least 1 (a protocol edge passes 1 when the
	// command has no COUNT).
	Count int64
	// Timeout is how long to wait on the engine's clock; 0 waits until
	// served, negative is an error. Like Redis, any positive timeout,
	// however small, is a finite one.
	Timeout time.Duration
}

// BlockResult is a blocking command's answer.
type BlockResult struct {
	// OK is false when nothing was popped: the timeout passed, or (for the
	// immediate attempt of Txn.BlockPop) every key was empty. Redis answers
	// a null then.
	OK bool
	// Key is the key popped from (BLMOVE: the source).
	Key string
	// Values are the popped list elements, in pop order (one for BLPOP,
	// BRPOP and BLMOVE).
	Values []string
	// Members are the popped sorted-set members, in pop order (one for
	// BZPOPMIN and BZPOPMAX).
	Members []ZMember
}

// validate checks req's arguments in Redis 7.0's order: BLMPOP, BZMPOP
// and BLMOVE check their other arguments before the timeout.
func (req *BlockRequest) validate() error {
	switch req.Op {
	case BlockLPop, BlockRPop, BlockZPopMin, BlockZPopMax:
		if len(req.Keys) == 0 {
			return wrongArgs(req.Op.name())
		}
	case BlockLMPop, BlockZMPop:
		if len(req.Keys) == 0 {
			return errNumKeys
		}
		if req.Op == BlockLMPop && req.Side > ListRight || req.Op == BlockZMPop && req.ZSide > ZMax {
			return ErrSyntax
		}
		if req.Count < 1 {
			return errCountNotPositive
		}
	case BlockLMove:
		if len(req.Keys) != 1 {
			return wrongArgs("blmove")
		}
		if req.Side > ListRight || req.DestSide > ListRight {
			return ErrSyntax
		}
	default:
		return ErrSyntax
	}
	if req.Timeout < 0 {
		return errTimeoutNegative
	}
	return nil
}

// lockKeys are the keys whose shards the request's transaction holds.
func (req *BlockRequest) lockKeys() []string {
	if req.Op == BlockLMove {
		return []string{req.Keys[0], req.Dest}
	}
	return req.Keys
}

// BlockPop is a blocking command's immediate attempt, for transactions
// (Redis runs blocking commands inside MULTI/EXEC without blocking): it
// pops from the first key of req.Keys that holds data, exactly as the
// non-blocking command would, or returns a result with OK false when every
// key is empty. It never waits; req.Timeout is only checked. The
// transaction must hold req.Keys and, for BlockLMove, req.Dest.
func (t Txn) BlockPop(req BlockRequest) (BlockResult, error) {
	if req.Op == BlockLMove {
		// LMOVE refuses to run above the memory limit (denyoom); pops do not.
		if err := t.write(); err != nil {
			return BlockResult{}, err
		}
	} else {
		t.read()
	}
	if err := req.validate(); err != nil {
		return BlockResult{}, err
	}
	return t.tryPop(&req)
}

// tryPop serves req from the first non-empty key, if any.
func (t Txn) tryPop(req *BlockRequest) (BlockResult, error) {
	for _, key := range req.Keys {
		e := t.tx.Get(key)
		if e == nil {
			continue
		}
		if !req.Op.serves(e.Type()) {
			return BlockResult{}, ErrWrongType
		}
		return t.popFor(req, key, e)
	}
	return BlockResult{}, nil
}

// popFor pops for req from key, whose entry e is a non-empty value of the
// type req pops. A BLMOVE needs its destination's shard held.
func (t Txn) popFor(req *BlockRequest, key string, e *store.Entry) (BlockResult, error) {
	res := BlockResult{OK: true, Key: key}
	switch req.Op {
	case BlockLPop, BlockRPop, BlockLMPop:
		l := e.List()
		side, n := ListLeft, 1
		switch req.Op {
		case BlockRPop:
			side = ListRight
		case BlockLMPop:
			side, n = req.Side, int(min(req.Count, int64(l.Len())))
		}
		res.Values = make([]string, n)
		for i := range res.Values {
			res.Values[i], _ = listPop(l, side)
		}
		t.tx.Changed(key, e)
	case BlockLMove:
		v, _, err := t.move(key, req.Dest, req.Side, req.DestSide)
		if err != nil {
			return BlockResult{}, err
		}
		res.Values = []string{v}
	default:
		z := e.ZSet()
		n, highest := 1, req.Op == BlockZPopMax
		if req.Op == BlockZMPop {
			n, highest = int(min(req.Count, int64(z.Len()))), req.ZSide == ZMax
		}
		res.Members = zpopFrom(z, n, highest)
		t.tx.Changed(key, e)
	}
	return res, nil
}

// LMPop pops up to count elements from the side end of the first
// non-empty list among keys (LMPOP). found is false when every key is
// empty (Redis's null).
func (db *DB) LMPop(side ListSide, count int64, keys ...string) (key string, values []string, found bool, err error) {
	err = db.Atomic(keys, func(t Txn) error { key, values, found, err = t.LMPop(side, count, keys...); return err })
	return key, values, found, err
}

// LMPop is LMPOP.
func (t Txn) LMPop(side ListSide, count int64, keys ...string) (string, []string, bool, error) {
	res, err := t.BlockPop(BlockRequest{Op: BlockLMPop, Keys: keys, Side: side, Count: count})
	return res.Key, res.Values, res.OK, err
}

// ZMPop pops up to count members from the side end of the first
// non-empty sorted set among keys (ZMPOP). found is false when every key
// is empty (Redis's null).
func (db *DB) ZMPop(side ZSide, count int64, keys ...string) (key string, members []ZMember, found bool, err error) {
	err = db.Atomic(keys, func(t Txn) error { key, members, found, err = t.ZMPop(side, count, keys...); return err })
	return key, members, found, err
}

// ZMPop is ZMPOP.
func (t Txn) ZMPop(side ZSide, count int64, keys ...string) (string, []ZMember, bool, error) {
	res, err := t.BlockPop(BlockRequest{Op: BlockZMPop, Keys: keys, ZSide: side, Count: count})
	return res.Key, res.Members, res.OK, err
}

// BlockPop runs a blocking command for an event loop, which must never
// block. When the command can be answered at once (a key holds data, or an
// error), BlockPop returns the answer with a nil cancel and never calls
// deliver. Otherwise the caller is queued, BlockPop returns a zero result
// and a non-nil cancel, and deliver is called exactly once later: with the
// popped result (or ErrWrongType for a BLMOVE whose destination holds
// another type), with OK false when the timeout passes, or with ErrClosed
// when the engine closes.
//
// deliver runs on whichever goroutine answered the request, after every
// store lock is released: the goroutine of the write that served it (for
// a RESP server, possibly the event loop itself, inside the write call it
// made for another client), a timer's, or Close's. It may even run before
// BlockPop has returned. So it must be quick and must never block: hand
// the answer over (a non-blocking send, a queue and a wake-up), and do not
// call the engine from it.
//
// cancel (a client disconnecting) removes the waiter and returns true, and
// then deliver is never called; it returns false when the waiter was
// already answered, and then deliver has been or is about to be called
// with what was popped for it: an element is either delivered to a live
// waiter or stays in its list, never lost in between.
func (db *DB) BlockPop(req BlockRequest, deliver func(BlockResult, error)) (res BlockResult, cancel func() bool, err error) {
	now, err := db.begin()
	if err != nil {
		return BlockResult{}, nil, err
	}
	if err := req.validate(); err != nil {
		return BlockResult{}, nil, err
	}
	var w *blockWaiter
	err = db.update(now, req.lockKeys(), func(t Txn) error {
		var err error
		if res, err = t.BlockPop(req); err != nil || res.OK {
			return err
		}
		w, err = db.blockTable().register(req, deliver)
		return err
	})
	if err != nil || w == nil {
		return res, nil, err
	}
	return BlockResult{}, w.cancel, nil
}

// blockWait is BlockPop for goroutines that may block: it waits for the
// answer or for ctx. When ctx ends first it returns ctx.Err(), unless the
// request was served in the meantime: the popped result is then returned,
// so that it is not lost.
func (db *DB) blockWait(ctx context.Context, req BlockRequest) (BlockResult, error) {
	if err := ctx.Err(); err != nil {
		return BlockResult{}, err
	}
	type answer struct {
		res BlockResult
		err error
	}
	ch := make(chan answer, 1)
	res, cancel, err := db.BlockPop(req, func(res BlockResult, err error) { ch <- answer{res, err} })
	if err != nil || cancel == nil {
		return res, err
	}
	select {
	case a := <-ch:
		return a.res, a.err
	case <-ctx.Done():
		if cancel() {
			return BlockResult{}, ctx.Err()
		}
		a := <-ch // served while we gave up: deliver is on its way
		return a.res, a.err
	}
}

// BLPop pops the head of the first non-empty list among keys, waiting up
// to timeout (0: for ever) on the engine's clock for one to be pushed
// (BLPOP). ok is false when the timeout passed. When ctx ends first it
// returns ctx.Err(), unless an element was popped for the caller
// meanwhile: then it returns that element.
func (db *DB) BLPop(ctx context.Context, timeout time.Duration, keys ...string) (key, value string, ok bool, err error) {
	return db.bpopOne(ctx, BlockRequest{Op: BlockLPop, Keys: keys, Timeout: timeout})
}

// BRPop is BLPop popping the tail (BRPOP).
func (db *DB) BRPop(ctx context.Context, timeout time.Duration, keys ...string) (key, value string, ok bool, err error) {
	return db.bpopOne(ctx, BlockRequest{Op: BlockRPop, Keys: keys, Timeout: timeout})
}

func (db *DB) bpopOne(ctx context.Context, req BlockRequest) (key, value string, ok bool, err error) {
	res, err := db.blockWait(ctx, req)
	if err != nil || !res.OK {
		return "", "", false, err
	}
	return res.Key, res.Values[0], true, nil
}

// BLMPop pops up to count elements from the side end of the first
// non-empty list among keys, waiting as BLPop does (BLMPOP).
func (db *DB) BLMPop(ctx context.Context, timeout time.Duration, side ListSide, count int64, keys ...string) (key string, values []string, ok bool, err error) {
	res, err := db.blockWait(ctx, BlockRequest{Op: BlockLMPop, Keys: keys, Side: side, Count: count, Timeout: timeout})
	return res.Key, res.Values, res.OK, err
}

// BLMove moves an element from the from end of src onto the to end of dst
// and returns it, waiting as BLPop does for src to get one (BLMOVE). A dst
// of another type is ErrWrongType, at once when src holds data, when
// served otherwise (the element then stays in src).
func (db *DB) BLMove(ctx context.Context, timeout time.Duration, src, dst string, from, to ListSide) (value string, ok bool, err error) {
	res, err := db.blockWait(ctx, BlockRequest{Op: BlockLMove, Keys: []string{src}, Side: from, Dest: dst, DestSide: to, Timeout: timeout})
	if err != nil || !res.OK {
		return "", false, err
	}
	return res.Values[0], true, nil
}

// BRPopLPush is BLMove from the tail of src to the head of dst
// (BRPOPLPUSH).
func (db *DB) BRPopLPush(ctx context.Context, timeout time.Duration, src, dst string) (value string, ok bool, err error) {
	return db.BLMove(ctx, timeout, src, dst, ListRight, ListLeft)
}

// BZPopMin pops the lowest member of the first non-empty sorted set among
// keys, waiting as BLPop does (BZPOPMIN).
func (db *DB) BZPopMin(ctx context.Context, timeout time.Duration, keys ...string) (key string, member ZMember, ok bool, err error) {
	return db.bzpopOne(ctx, BlockRequest{Op: BlockZPopMin, Keys: keys, Timeout: timeout})
}

// BZPopMax pops the highest member, as BZPopMin does (BZPOPMAX).
func (db *DB) BZPopMax(ctx context.Context, timeout time.Duration, keys ...string) (key string, member ZMember, ok bool, err error) {
	return db.bzpopOne(ctx, BlockRequest{Op: BlockZPopMax, Keys: keys, Timeout: timeout})
}

func (db *DB) bzpopOne(ctx context.Context, req BlockRequest) (key string, member ZMember, ok bool, err error) {
	res, err := db.blockWait(ctx, req)
	if err != nil || !res.OK {
		return "", ZMember{}, false, err
	}
	return res.Key, res.Members[0], true, nil
}

// BZMPop pops up to count members from the side end of the first
// non-empty sorted set among keys, waiting as BLPop does (BZMPOP).
func (db *DB) BZMPop(ctx context.Context, timeout time.Duration, side ZSide, count int64, keys ...string) (key string, members []ZMember, ok bool, err error) {
	res, err := db.blockWait(ctx, BlockRequest{Op: BlockZMPop, Keys: keys, ZSide: side, Count: count, Timeout: timeout})
	return res.Key, res.Members, res.OK, err
}

// blockTable is one namespace's blocked callers: for each key waited on,
// its waiters in the order they started waiting. One mutex guards it all;
// it is taken only while somebody waits in the namespace. Lock order: shard
// locks, then mu; the clock's lock (timer Stop, AfterFunc) may be taken
// under mu, never the reverse (the manual clock runs callbacks unlocked).
type blockTable struct {
	db     *DB
	mu     sync.Mutex
	queues map[string]blockQueue // by value: one allocation fewer per wait
	closed bool
	// waiting counts queued waiters, so that a write creating a key checks
	// for waiters with one atomic load while there are none.
	waiting atomic.Int64
}

type blockTableRef struct{ p atomic.Pointer[blockTable] }

// blockTable returns the namespace's table, creating it on first use so
// that namespaces nobody blocks in pay nothing.
func (db *DB) blockTable() *blockTable {
	if bt := db.blocks.p.Load(); bt != nil {
		return bt
	}
	db.blocks.p.CompareAndSwap(nil, &blockTable{db: db})
	return db.blocks.p.Load()
}

// blockQueue is a key's waiters, oldest first.
type blockQueue struct{ head, tail *blockNode }

// blockNode is a waiter's place in one key's queue.
type blockNode struct {
	w          *blockWaiter
	key        string
	prev, next *blockNode
}

// blockWaiter is one queued request. done, timer and the nodes' links are
// guarded by the table's mu; done turns true exactly once, by whoever
// answers the request (a serving writer, the timer, cancel or Close).
type blockWaiter struct {
	req     BlockRequest
	nodes   []blockNode // one per distinct key
	done    bool
	timer   ttl.Timer
	bt      *blockTable
	deliver func(BlockResult, error)
	// Room for the usual single key, so that a wait on one key costs one
	// allocation less for the keys and one less for the nodes.
	key1  [1]string
	node1 [1]blockNode
}

// register queues req on each of its distinct keys and arms its timeout.
// The caller holds the shards of the keys, so that no write can make one
// non-empty between the caller finding them empty and the waiter being
// queued.
func (bt *blockTable) register(req BlockRequest, deliver func(BlockResult, error)) (*blockWaiter, error) {
	w := &blockWaiter{bt: bt, deliver: deliver}
	keys := w.key1[:0]
	for _, k := range req.Keys {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	req.Keys = keys // our own copy: the caller may reuse its slice
	w.req = req
	if len(keys) == 1 {
		w.nodes = w.node1[:]
	} else {
		w.nodes = make([]blockNode, len(keys))
	}
	bt.mu.Lock()
	defer bt.mu.Unlock()
	// Close sets e.closed before it closes the tables, so a register that
	// still sees it false is in a table Close has yet to reach.
	if bt.closed || bt.db.e.closed.Load() {
		return nil, ErrClosed
	}
	if bt.queues == nil {
		bt.queues = make(map[string]blockQueue)
	}
	for i, k := range keys {
		n := &w.nodes[i]
		n.w, n.key = w, k
		q := bt.queues[k]
		q.push(n)
		bt.queues[k] = q
	}
	bt.waiting.Add(1)
	if req.Timeout > 0 {
		w.timer = bt.db.e.clock.AfterFunc(req.Timeout, w.expire)
	}
	return w, nil
}

// finish marks w answered and takes it out of every queue. Caller holds
// bt.mu and has checked !w.done.
func (bt *blockTable) finish(w *blockWaiter) {
	w.done = true
	if w.timer != nil {
		w.timer.Stop()
	}
	for i := range w.nodes {
		n := &w.nodes[i]
		q := bt.queues[n.key]
		q.unlink(n)
		if q.head == nil {
			delete(bt.queues, n.key) // a key nobody waits on costs nothing
		} else {
			bt.queues[n.key] = q
		}
	}
	bt.waiting.Add(-1)
}

// claim takes the oldest waiter on key that pops values of type typ out of
// the queues, for the caller (which holds key's shard) to serve; nil when
// there is none.
func (bt *blockTable) claim(key string, typ store.Type) *blockWaiter {
	bt.mu.Lock()
	defer bt.mu.Unlock()
	for n := bt.queues[key].head; n != nil; n = n.next {
		if n.w.req.Op.serves(typ) {
			w := n.w
			bt.finish(w)
			return w
		}
	}
	return nil
}

// cancel withdraws the waiter: true when it was still waiting (deliver will
// never be called), false when it was already answered.
func (w *blockWaiter) cancel() bool {
	bt := w.bt
	bt.mu.Lock()
	defer bt.mu.Unlock()
	if w.done {
		return false
	}
	bt.finish(w)
	return true
}

// expire is the waiter's timeout.
func (w *blockWaiter) expire() {
	bt := w.bt
	bt.mu.Lock()
	if w.done {
		bt.mu.Unlock()
		return
	}
	bt.finish(w)
	bt.mu.Unlock()
	w.deliver(BlockResult{}, nil)
}

// closeBlocks answers every waiter of the namespace with ErrClosed.
func (db *DB) closeBlocks() {
	bt := db.blockTable()
	bt.mu.Lock()
	bt.closed = true
	var ws []*blockWaiter
	for _, q := range bt.queues {
		for n := q.head; n != nil; n = n.next {
			if !n.w.done {
				n.w.done = true
				if n.w.timer != nil {
					n.w.timer.Stop()
				}
				ws = append(ws, n.w)
			}
		}
	}
	bt.queues = nil
	bt.waiting.Store(0)
	bt.mu.Unlock()
	for _, w := range ws {
		w.deliver(BlockResult{}, ErrClosed)
	}
}

// Blocked is the number of callers waiting in a blocking pop in the
// namespace (Redis's blocked_clients, per namespace).
func (db *DB) Blocked() int {
	if bt := db.blocks.p.Load(); bt != nil {
		return int(bt.waiting.Load())
	}
	return 0
}

func (q *blockQueue) push(n *blockNode) {
	n.prev = q.tail
	if q.tail != nil {
		q.tail.next = n
	} else {
		q.head = n
	}
	q.tail = n
}

func (q *blockQueue) unlink(n *blockNode) {
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		q.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		q.tail = n.prev
	}
	n.prev, n.next = nil, nil
}

// readyState is what a transaction owes blocked callers: the keys it
// created that have waiters (served before its locks are released), then
// the answers to deliver after they are released. It lives in the store
// transaction's note, so a transaction that readies nothing carries none.
type readyState struct {
	keys   []string // in the order they became ready, as Redis serves them
	next   int      // keys[:next] have been served
	served []blockAnswer
	moves  []pendingMove
	// Room for the usual one key and one answer in the same allocation.
	key1    [1]string
	served1 [1]blockAnswer
}

type blockAnswer struct {
	w   *blockWaiter
	res BlockResult
	err error
}

// pendingMove is a BLMOVE served in two steps (see serveKey): the element
// left src under src's lock and is pushed onto the destination after.
type pendingMove struct {
	w     *blockWaiter
	src   string
	value string
}

// keyReady notes that key was just created (as a list or a sorted set, or
// by RENAME), so that the callers waiting on it are served at the end of
// the transaction.
func (t Txn) keyReady(key string) {
	bt := t.db.blocks.p.Load()
	if bt == nil || bt.waiting.Load() == 0 {
		return
	}
	bt.mu.Lock()
	_, waited := bt.queues[key]
	bt.mu.Unlock()
	if !waited {
		return
	}
	rs, _ := t.tx.Note().(*readyState)
	if rs == nil {
		rs = &readyState{}
		rs.keys, rs.served = rs.key1[:0], rs.served1[:0]
		t.tx.SetNote(rs)
	}
	// A key already served in this transaction may be created again
	// (BLMOVE from a list onto itself, a chain back to it) and then needs
	// serving again, as Redis signals it again.
	if !slices.Contains(rs.keys[rs.next:], key) {
		rs.keys = append(rs.keys, key)
	}
}

// update runs fn in a transaction over keys, as Atomic does, then serves
// the callers blocked on the keys the transaction created before its locks
// are released, and delivers their answers after. It does not check that
// the engine is open: the second step of a BLMOVE must run to completion.
func (db *DB) update(now int64, keys []string, fn func(t Txn) error) error {
	var rs *readyState
	wrap := func(tx *store.Tx) error {
		err := fn(Txn{db: db, tx: tx})
		if tx.Note() != nil {
			rs = db.serveReady(tx)
		}
		return err
	}
	var err error
	if keys == nil {
		err = db.ks.UpdateAll(now, wrap)
	} else {
		err = db.ks.UpdateKeys(now, keys, wrap)
	}
	if rs != nil {
		db.finishReady(rs)
	}
	return err
}

// serveReady serves the waiters of the keys tx made ready. tx's locks are
// held.
func (db *DB) serveReady(tx *store.Tx) *readyState {
	rs := tx.Note().(*readyState)
	t := Txn{db: db, tx: tx}
	for rs.next < len(rs.keys) {
		key := rs.keys[rs.next]
		rs.next++
		t.serveKey(rs, key)
	}
	tx.SetNote(nil)
	return rs
}

// serveKey serves key's waiters, oldest first, while key holds data. The
// transaction holds key's shard (it created the key).
func (t Txn) serveKey(rs *readyState, key string) {
	bt := t.db.blocks.p.Load()
	for {
		e := t.tx.Get(key)
		if e == nil {
			return
		}
		typ := e.Type()
		if typ != store.TypeList && typ != store.TypeZSet {
			return // another type now: its waiters stay blocked (Redis 7.0)
		}
		w := bt.claim(key, typ)
		if w == nil {
			return
		}
		req := &w.req
		if req.Op == BlockLMove && !t.tx.Hold(req.Dest) {
			// The destination's shard comes before one we hold and is
			// busy: waiting for it could deadlock. The element leaves
			// the source now, so nobody else takes it, and goes onto the
			// destination right after the locks are released. Another
			// caller can see it in neither list for that moment; that is
			// the price of this rare case.
			v, _ := listPop(e.List(), req.Side)
			t.tx.Changed(key, e)
			rs.moves = append(rs.moves, pendingMove{w: w, src: key, value: v})
			continue
		}
		res, err := t.popFor(req, key, e)
		rs.served = append(rs.served, blockAnswer{w: w, res: res, err: err})
	}
}

// finishReady delivers the answers of a transaction's served waiters and
// completes its two-step moves. No store lock is held.
func (db *DB) finishReady(rs *readyState) {
	for _, a := range rs.served {
		a.w.deliver(a.res, a.err)
	}
	for _, m := range rs.moves {
		db.finishMove(m)
	}
}

// finishMove is the second step of a BLMOVE served in two: the element
// goes onto the destination or, when the destination became another type
// meanwhile, back onto the end of the source it came from, and the waiter
// gets ErrWrongType, as when the type is found wrong up front. (Should the
// source have become another type too, the waiter still gets the element:
// it is never lost.)
func (db *DB) finishMove(m pendingMove) {
	req := &m.w.req
	res := BlockResult{OK: true, Key: m.src, Values: []string{m.value}}
	var err error
	_ = db.update(db.e.now(), []string{m.src, req.Dest}, func(t Txn) error {
		if !t.pushOne(req.Dest, req.DestSide, m.value) && t.pushOne(m.src, req.Side, m.value) {
			res, err = BlockResult{}, ErrWrongType
		}
		return nil
	})
	m.w.deliver(res, err)
}

// pushOne pushes v onto the side end of the list at key, creating it, and
// reports false when key holds another type.
func (t Txn) pushOne(key string, side ListSide, v string) bool {
	e, l, err := t.writeList(key)
	if err != nil {
		return false
	}
	if l == nil {
		l = store.NewList()
		listPush(l, side, v)
		t.tx.Put(key, store.NewCollection(l))
		t.keyReady(key)
		return true
	}
	listPush(l, side, v)
	t.tx.Changed(key, e)
	return true
}
