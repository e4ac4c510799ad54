package resp

import (
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/isa-cloud/isa-memstore/engine"
)

// Blocking pops (BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN,
// BZPOPMAX, BZMPOP) and their non-blocking MPOP forms. The engine decides
// who is served and when (engine/blocking.go); this file parses the
// arguments in Redis's order, encodes the replies, and parks the client
// while it waits: a loop client's further commands stay in its input
// buffer until the answer arrives (Redis executes nothing of a blocked
// client either), a goroutine client's goroutine waits.
//
// Inside MULTI (and so inside EXEC) a blocking command is the immediate
// attempt only, answering null when every key is empty, as in Redis.

func init() {
	const lg, zg = "list", "sorted-set"
	bf := flagWrite | flagNoScript | flagBlocking
	// Redis 7.0 lets scripts call BLMPOP and BZMPOP (they do not wait
	// there, like every blocking command inside MULTI) but not the older
	// blocking commands.
	mf := flagWrite | flagBlocking
	register(
		&command{name: "blpop", arity: -3, flags: bf, first: 1, last: -2, step: 1, group: lg, since: "2.0.0", summary: "Remove and get the first element in a list, or block until one is available", txn: blockTxn(parseBPop(engine.BlockLPop)), block: parseBPop(engine.BlockLPop)},
		&command{name: "brpop", arity: -3, flags: bf, first: 1, last: -2, step: 1, group: lg, since: "2.0.0", summary: "Remove and get the last element in a list, or block until one is available", txn: blockTxn(parseBPop(engine.BlockRPop)), block: parseBPop(engine.BlockRPop)},
		&command{name: "brpoplpush", arity: 4, flags: bf | flagDenyOOM, first: 1, last: 2, step: 1, group: lg, since: "2.2.0", summary: "Pop an element from a list, push it to another list and return it; or block until one is available", txn: blockTxn(parseBRPopLPush), block: parseBRPopLPush},
		&command{name: "blmove", arity: 6, flags: bf | flagDenyOOM, first: 1, last: 2, step: 1, group: lg, since: "6.2.0", summary: "Pop an element from a list, push it to another list and return it; or block until one is available", txn: blockTxn(parseBLMove), block: parseBLMove},
		&command{name: "blmpop", arity: -5, flags: mf, group: lg, since: "7.0.0", summary: "Pop elements from a list, or block until one is available", keys: numkeysKeys(1, false), txn: blockTxn(parseMPop(engine.BlockLMPop, true)), block: parseMPop(engine.BlockLMPop, true)},
		&command{name: "lmpop", arity: -4, flags: flagWrite, group: lg, since: "7.0.0", summary: "Pop elements from a list", keys: numkeysKeys(0, false), txn: blockTxn(parseMPop(engine.BlockLMPop, false))},
		&command{name: "bzpopmin", arity: -3, flags: bf | flagFast, first: 1, last: -2, step: 1, group: zg, since: "5.0.0", summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", txn: blockTxn(parseBPop(engine.BlockZPopMin)), block: parseBPop(engine.BlockZPopMin)},
		&command{name: "bzpopmax", arity: -3, flags: bf | flagFast, first: 1, last: -2, step: 1, group: zg, since: "5.0.0", summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", txn: blockTxn(parseBPop(engine.BlockZPopMax)), block: parseBPop(engine.BlockZPopMax)},
		&command{name: "bzmpop", arity: -5, flags: mf, group: zg, since: "7.0.0", summary: "Remove and return members with scores in a sorted set or block until one is available", keys: numkeysKeys(1, false), txn: blockTxn(parseMPop(engine.BlockZMPop, true)), block: parseMPop(engine.BlockZMPop, true)},
		&command{name: "zmpop", arity: -4, flags: flagWrite, group: zg, since: "7.0.0", summary: "Remove and return members with scores in a sorted set", keys: numkeysKeys(0, false), txn: blockTxn(parseMPop(engine.BlockZMPop, false))},
	)
}

// blockParser turns a blocking command's arguments into an engine
// request, with Redis's errors in Redis's order.
type blockParser func(a []string) (engine.BlockRequest, error)

var (
	errTimeoutNotFloat = textError("ERR timeout is not a float or out of range")
	errTimeoutNegative = textError("ERR timeout is negative")
	errNumkeys         = textError("ERR numkeys should be greater than 0")
	errCountPositive   = textError("ERR count should be greater than 0")
)

// parseTimeout reads a timeout in seconds as Redis 7.0 does: a long
// double, turned into milliseconds with C's conversion, whose overflow
// (infinity, or more than 2^63 ms) gives a negative number there; a
// negative timeout is reported by the engine, after the other arguments'
// errors.
func parseTimeout(s string) (time.Duration, error) {
	f, ok := engine.ParseFloat(s)
	if !ok || math.IsNaN(f) {
		return 0, errTimeoutNotFloat
	}
	ms := f * 1000
	if ms >= math.MaxInt64 || ms <= math.MinInt64 {
		return -1, nil
	}
	if f*1e9 >= math.MaxInt64 {
		return 0, nil // centuries: as good as for ever
	}
	d := time.Duration(f * 1e9)
	if f > 0 && d == 0 {
		d = 1 // positive stays finite however small
	}
	return d, nil
}

// parseBPop parses BLPOP, BRPOP, BZPOPMIN and BZPOPMAX: keys, timeout.
func parseBPop(op engine.BlockOp) blockParser {
	return func(a []string) (engine.BlockRequest, error) {
		d, err := parseTimeout(a[len(a)-1])
		if err != nil {
			return engine.BlockRequest{}, err
		}
		return engine.BlockRequest{Op: op, Keys: a[:len(a)-1], Timeout: d}, nil
	}
}

func parseBRPopLPush(a []string) (engine.BlockRequest, error) {
	d, err := parseTimeout(a[2])
	if err != nil {
		return engine.BlockRequest{}, err
	}
	return engine.BlockRequest{Op: engine.BlockLMove, Keys: a[:1], Dest: a[1], Side: engine.ListRight, DestSide: engine.ListLeft, Timeout: d}, nil
}

func parseBLMove(a []string) (engine.BlockRequest, error) {
	from, ok1 := parseSide(a[2])
	to, ok2 := parseSide(a[3])
	if !ok1 || !ok2 {
		return engine.BlockRequest{}, errSyntax
	}
	d, err := parseTimeout(a[4])
	if err != nil {
		return engine.BlockRequest{}, err
	}
	return engine.BlockRequest{Op: engine.BlockLMove, Keys: a[:1], Dest: a[1], Side: from, DestSide: to, Timeout: d}, nil
}

// parseMPop parses [B]LMPOP and [B]ZMPOP: [timeout] numkeys key... side
// [COUNT n]. The blocking forms read the timeout first but report a
// negative one last, as Redis 7.0.
func parseMPop(op engine.BlockOp, blocking bool) blockParser {
	return func(a []string) (engine.BlockRequest, error) {
		req := engine.BlockRequest{Op: op, Count: -1}
		if blocking {
			d, err := parseTimeout(a[0])
			if err != nil {
				return req, err
			}
			req.Timeout = d
			a = a[1:]
		}
		n, ok := engine.ParseInt(a[0])
		if !ok || n <= 0 {
			return req, errNumkeys
		}
		where := int64(1) + n
		if where >= int64(len(a)) {
			return req, errSyntax
		}
		req.Keys = a[1:where]
		side := a[where]
		switch {
		case op == engine.BlockLMPop && eq(side, "left"):
			req.Side = engine.ListLeft
		case op == engine.BlockLMPop && eq(side, "right"):
			req.Side = engine.ListRight
		case op == engine.BlockZMPop && eq(side, "min"):
			req.ZSide = engine.ZMin
		case op == engine.BlockZMPop && eq(side, "max"):
			req.ZSide = engine.ZMax
		default:
			return req, errSyntax
		}
		for j := where + 1; j < int64(len(a)); j++ {
			if req.Count == -1 && eq(a[j], "count") && j+1 < int64(len(a)) {
				j++
				c, ok := engine.ParseInt(a[j])
				if !ok || c <= 0 {
					return req, errCountPositive
				}
				req.Count = c
				continue
			}
			return req, errSyntax
		}
		if req.Count == -1 {
			req.Count = 1
		}
		return req, nil
	}
}

// blockTxn is a blocking command's immediate attempt inside a
// transaction (MULTI/EXEC, and LMPOP/ZMPOP, which never block).
func blockTxn(parse blockParser) func(c *client, t engine.Txn, a []string) error {
	return func(c *client, t engine.Txn, a []string) error {
		req, err := parse(a)
		if err != nil {
			return err
		}
		res, err := t.BlockPop(req)
		if err != nil {
			return err
		}
		c.writeBlockResult(req.Op, res)
		return nil
	}
}

// writeBlockResult writes a blocking command's reply; a result without
// an element is Redis's null for that command.
func (c *client) writeBlockResult(op engine.BlockOp, res engine.BlockResult) {
	if !res.OK {
		if op == engine.BlockLMove {
			c.w.null()
		} else {
			c.w.nullArray()
		}
		return
	}
	switch op {
	case engine.BlockLPop, engine.BlockRPop:
		c.w.array(2)
		c.w.bulkString(res.Key)
		c.w.bulkString(res.Values[0])
	case engine.BlockLMove:
		c.w.bulkString(res.Values[0])
	case engine.BlockLMPop:
		c.w.array(2)
		c.w.bulkString(res.Key)
		c.writeStrings(res.Values)
	case engine.BlockZPopMin, engine.BlockZPopMax:
		c.w.array(3)
		c.w.bulkString(res.Key)
		c.w.bulkString(res.Members[0].Member)
		c.w.double(res.Members[0].Score)
	case engine.BlockZMPop:
		c.w.array(2)
		c.w.bulkString(res.Key)
		c.w.array(len(res.Members))
		for _, m := range res.Members {
			c.w.array(2)
			c.w.bulkString(m.Member)
			c.w.double(m.Score)
		}
	}
}

// blockState is a client waiting for a blocking command's answer.
type blockState struct {
	op engine.BlockOp
	// cancel withdraws the wait (disconnect, CLIENT UNBLOCK); true means
	// the engine will not answer, and whoever cancelled answers instead.
	cancel func() bool
	// answer hands the answer to the client; called exactly once, from
	// any goroutine, and never blocks.
	answer func(engine.BlockResult, error)
}

// errUnblocked is CLIENT UNBLOCK ... ERROR's answer to the blocked client.
var errUnblocked = textError("UNBLOCKED client unblocked via CLIENT UNBLOCK")

// runBlocking executes a blocking command outside MULTI: answered at once
// when it can be, otherwise the client waits.
func (c *client) runBlocking(parse blockParser, a []string) {
	req, err := parse(a)
	if err != nil {
		c.replyErr(err)
		return
	}
	// The request outlives this call while it waits: its strings are
	// copies already (blocking commands do not borrow), but the slice is
	// the client's reused argument slice.
	req.Keys = slices.Clone(req.Keys)
	st := &blockState{op: req.Op}
	var wake chan blockAnswer
	if c.lconn != nil {
		st.answer = func(res engine.BlockResult, err error) {
			c.onLoop(func() { c.unblock(st, res, err) })
		}
	} else {
		wake = make(chan blockAnswer, 1)
		st.answer = func(res engine.BlockResult, err error) { wake <- blockAnswer{res, err} }
	}
	res, cancel, err := c.db.BlockPop(req, st.answer)
	switch {
	case err != nil:
		c.replyErr(err)
		return
	case cancel == nil:
		c.writeBlockResult(req.Op, res)
		return
	}
	st.cancel = cancel
	c.block.Store(st)
	if c.lconn != nil {
		return // runBatch stops here; unblock resumes the client
	}
	// A goroutine client waits here, its connection's close (or the
	// server's) withdrawing the wait; the watch sees the client hang up.
	stopWatch := c.watchWhileBlocked()
	var ans blockAnswer
	select {
	case ans = <-wake:
	case <-c.done:
		if cancel() {
			c.block.Store(nil)
			stopWatch()
			return
		}
		ans = <-wake
	}
	stopWatch()
	c.block.Store(nil)
	c.answerBlock(st.op, ans.res, ans.err)
}

// watchWhileBlocked keeps reading a goroutine client's connection while it
// waits in a blocking command, as Redis's event loop keeps reading a
// blocked client (the loops here do too): a client that hangs up is then
// closed and its wait withdrawn at once. Unwatched, the hang-up would only
// be seen after the wait was answered, and the element it was answered
// with, already taken from its list, would be written to a closed socket
// and lost. What the client sends meanwhile (commands pipelined behind the
// blocking one) is kept; the returned stop ends the watch and hands those
// bytes to the reader, and must be called before the connection is read
// again.
func (c *client) watchWhileBlocked() (stop func()) {
	// A wait is exempt from the idle timeout, as in Redis; serve sets the
	// deadline again before its next read.
	_ = c.nc.SetReadDeadline(time.Time{})
	var stopping atomic.Bool
	got := make(chan []byte, 1)
	go func() {
		var in []byte
		buf := make([]byte, 512)
		for {
			n, err := c.rd.src.Read(buf)
			in = append(in, buf[:n]...)
			switch {
			case err == nil && len(in) <= c.rd.maxQuery:
				continue
			case err == nil:
				c.close() // over the query buffer limit, as it would be unblocked
			case stopping.Load() || c.closeIdle.Load():
				// stop's deadline, or Shutdown's, ended the read
			default:
				c.close() // hung up (or the connection failed)
			}
			got <- in
			return
		}
	}()
	return func() {
		stopping.Store(true)
		_ = c.nc.SetReadDeadline(time.Now())
		in := <-got
		_ = c.nc.SetReadDeadline(time.Time{})
		c.rd.feed(in)
	}
}

type blockAnswer struct {
	res engine.BlockResult
	err error
}

func (c *client) answerBlock(op engine.BlockOp, res engine.BlockResult, err error) {
	if err != nil {
		c.replyErr(err)
	} else {
		c.writeBlockResult(op, res)
	}
}

// unblock answers a loop client's wait on its loop and resumes executing
// what it sent meanwhile.
func (c *client) unblock(st *blockState, res engine.BlockResult, err error) {
	if c.block.Load() != st {
		return
	}
	// The wait counts as activity: the idle check, which skips blocked
	// clients, must not find this one idle the moment it is answered.
	c.lastActive.Store(c.lconn.l.now)
	c.block.Store(nil)
	c.answerBlock(st.op, res, err)
	if !c.process() {
		c.lconn.close()
	}
}

// cancelBlock withdraws the client's wait when its connection ends.
func (c *client) cancelBlock() {
	if st := c.block.Swap(nil); st != nil {
		st.cancel()
	}
}

// blockedClients counts the clients waiting in a blocking command.
func (s *Server) blockedClients() int {
	n := 0
	s.mu.Lock()
	for c := range s.clients {
		if c.block.Load() != nil {
			n++
		}
	}
	s.mu.Unlock()
	return n
}

// cmdClientUnblock ends another client's wait as if it had timed out, or
// with an error.
func cmdClientUnblock(c *client, a []string) {
	id, ok := parseIntOK(a[0])
	if !ok {
		c.replyErr(errNotInteger)
		return
	}
	withErr := false
	if len(a) == 2 {
		switch {
		case eq(a[1], "timeout"):
		case eq(a[1], "error"):
			withErr = true
		default:
			c.replyErr(textError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"))
			return
		}
	} else if len(a) > 2 {
		c.replyErr(errSyntax)
		return
	}
	for o := range c.s.snapshotClients() {
		if o.id != id {
			continue
		}
		if st := o.block.Load(); st != nil && st.cancel() {
			if withErr {
				st.answer(engine.BlockResult{}, errUnblocked)
			} else {
				st.answer(engine.BlockResult{}, nil)
			}
			c.w.integer(1)
			return
		}
	}
	c.w.integer(0)
}
