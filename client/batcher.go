package client

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrBatcherClosed is returned by a Batcher's methods after its Close.
var ErrBatcherClosed = errors.New("memstore: batcher closed")

// Batcher defaults.
const (
	DefaultBatchMaxSize = 256
	DefaultBatchMaxWait = 200 * time.Microsecond
)

// BatcherOptions tune a Batcher.
type BatcherOptions struct {
	// MaxSize is the most calls one request carries; a batch that reaches
	// it is sent at once (default DefaultBatchMaxSize).
	MaxSize int
	// MaxWait is the longest a call waits for others to join its batch
	// (default DefaultBatchMaxWait). It is the latency a lone call pays.
	MaxWait time.Duration
}

// Batcher coalesces concurrent Get calls from many goroutines into one
// GetMultiple, and concurrent Set calls into one ExecuteBatch, each caller
// receiving its own result. A batch is sent when it reaches MaxSize or when
// its first call has waited MaxWait, whichever comes first; several batches
// may be in flight at once. It trades a little latency for far fewer round
// trips under load. Safe for concurrent use; create one per Client and
// tenant, and Close it when done.
type Batcher struct {
	c    *Client
	opts BatcherOptions

	mu     sync.Mutex
	gets   queue
	sets   queue
	closed bool
	wg     sync.WaitGroup // batches in flight
}

// queue is the batch being gathered for one kind of call.
type queue struct {
	calls []*call
	keys  map[string]bool // keys in calls, for Set's one-call-per-key rule
	timer *time.Timer
	gen   uint64 // bumped when the batch is sent, to ignore stale timers
}

// call is one caller's request and where its result goes.
type call struct {
	key, value string
	deadline   time.Time // zero: none
	res        chan result
}

type result struct {
	value string
	err   error
}

// NewBatcher returns a Batcher over c.
func NewBatcher(c *Client, opts BatcherOptions) *Batcher {
	if opts.MaxSize <= 0 {
		opts.MaxSize = DefaultBatchMaxSize
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultBatchMaxWait
	}
	return &Batcher{c: c, opts: opts}
}

// Get is Client.Get through a batched GetMultiple: the value, Nil if the
// key is missing, or the batch's error. Unlike Client.Get it cannot tell
// a key of another type from a missing one (GetMultiple skips it).
func (b *Batcher) Get(ctx context.Context, key string) (string, error) {
	r := b.do(ctx, &b.gets, &call{key: key}, b.sendGets)
	return r.value, r.err
}

// Set is Client.Set through a batched ExecuteBatch. An error of this key's
// SET reaches only this caller; a failure of the whole request reaches all
// callers of the batch. If ctx ends first, Set returns ctx's error but the
// SET may still be applied.
func (b *Batcher) Set(ctx context.Context, key, value string) error {
	return b.do(ctx, &b.sets, &call{key: key, value: value}, b.sendSets).err
}

// do queues cl in q and waits for its result or ctx.
func (b *Batcher) do(ctx context.Context, q *queue, cl *call, send func([]*call)) result {
	if err := ctx.Err(); err != nil {
		return result{err: err}
	}
	cl.deadline, _ = ctx.Deadline()
	cl.res = make(chan result, 1) // buffered: a caller gone with ctx never blocks the sender
	if err := b.enqueue(q, cl, send); err != nil {
		return result{err: err}
	}
	select {
	case r := <-cl.res:
		return r
	case <-ctx.Done():
		return result{err: ctx.Err()}
	}
}

func (b *Batcher) enqueue(q *queue, cl *call, send func([]*call)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrBatcherClosed
	}
	if q == &b.sets && q.keys[cl.key] {
		// Two SETs of one key in a batch would make the server's per-key
		// error ambiguous: the gathered batch leaves without this one.
		// (Concurrent Sets of one key have no order to keep; a caller's
		// next Set starts after its previous one returned.)
		b.flushLocked(q, send)
	}
	q.calls = append(q.calls, cl)
	if q == &b.sets {
		if q.keys == nil {
			q.keys = make(map[string]bool)
		}
		q.keys[cl.key] = true
	}
	switch {
	case len(q.calls) >= b.opts.MaxSize:
		b.flushLocked(q, send)
	case len(q.calls) == 1:
		gen := q.gen
		q.timer = time.AfterFunc(b.opts.MaxWait, func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			if q.gen == gen {
				b.flushLocked(q, send)
			}
		})
	}
	return nil
}

// flushLocked sends q's batch (if any) in the background and starts a new
// one. b.mu is held.
func (b *Batcher) flushLocked(q *queue, send func([]*call)) {
	if len(q.calls) == 0 {
		return
	}
	calls := q.calls
	q.calls = nil
	clear(q.keys)
	if q.timer != nil {
		q.timer.Stop()
		q.timer = nil
	}
	q.gen++
	b.wg.Go(func() { send(calls) })
}

// batchContext is the context of a batch's request: it lasts as long as
// the most patient caller (none of the callers' cancellations cancel it,
// since the others still want their result).
func batchContext(calls []*call) (context.Context, context.CancelFunc) {
	var latest time.Time
	for _, cl := range calls {
		if cl.deadline.IsZero() {
			return context.WithCancel(context.Background())
		}
		if cl.deadline.After(latest) {
			latest = cl.deadline
		}
	}
	return context.WithDeadline(context.Background(), latest)
}

func (b *Batcher) sendGets(calls []*call) {
	ctx, cancel := batchContext(calls)
	defer cancel()
	keys := make([]string, 0, len(calls))
	seen := make(map[string]bool, len(calls))
	for _, cl := range calls {
		if !seen[cl.key] {
			seen[cl.key] = true
			keys = append(keys, cl.key)
		}
	}
	values, err := b.c.MGet(ctx, keys...)
	for _, cl := range calls {
		switch v, ok := values[cl.key]; {
		case err != nil:
			cl.res <- result{err: err}
		case ok:
			cl.res <- result{value: v}
		default:
			cl.res <- result{err: Nil}
		}
	}
}

func (b *Batcher) sendSets(calls []*call) {
	ctx, cancel := batchContext(calls)
	defer cancel()
	cmds := make([]BatchCommand, len(calls))
	for i, cl := range calls {
		cmds[i] = BatchCommand{Op: "SET", Key: cl.key, Value: cl.value}
	}
	_, err := b.c.ExecuteBatch(ctx, cmds...)
	own := make([]error, len(calls))
	var be *BatchError
	if errors.As(err, &be) {
		attributed := true
		for _, f := range be.Failed {
			if f.Index < 0 {
				attributed = false
				continue
			}
			own[f.Index] = f.Err
		}
		if attributed {
			err = nil
		}
		// Otherwise some failure could not be tied to its key: the
		// callers without their own error get the whole BatchError
		// rather than a success that may be false.
	}
	for i, cl := range calls {
		e := own[i]
		if e == nil {
			e = err
		}
		cl.res <- result{err: e}
	}
}

// Close sends the batches being gathered, waits for every batch in flight
// to be answered, and makes later calls fail with ErrBatcherClosed. It does
// not close the Client.
func (b *Batcher) Close() error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		b.flushLocked(&b.gets, b.sendGets)
		b.flushLocked(&b.sets, b.sendSets)
	}
	b.mu.Unlock()
	b.wg.Wait()
	return nil
}
