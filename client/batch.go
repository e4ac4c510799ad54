package client

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// BatchCommand is one command of an ExecuteBatch.
type BatchCommand struct {
	// Op is the operation, case-insensitive: at least SET, GET, DEL (or
	// DELETE), INCR, DECR, EXPIRE and APPEND.
	Op    string
	Key   string
	Value string
	// TTL is SET's optional expiration and EXPIRE's time to live.
	TTL time.Duration
}

// CommandError is the failure of one command of a batch.
type CommandError struct {
	// Index is the command's position in the batch, or -1 when the
	// server's error text could not be matched to a command.
	Index int
	Op    string
	Key   string
	// Err is an *Error built from the Redis text the server reported, so
	// errors.Is(err, ErrWrongType) and friends work as for single calls.
	Err error
}

// Error describes the failed command.
func (e *CommandError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("batch command failed: %v", e.Err)
	}
	return fmt.Sprintf("batch command %d (%s %q) failed: %v", e.Index, e.Op, e.Key, e.Err)
}

// Unwrap returns the command's error.
func (e *CommandError) Unwrap() error { return e.Err }

// BatchError is returned by ExecuteBatch when some commands failed. The
// batch ran atomically: the other commands took effect.
type BatchError struct {
	Executed int // commands that succeeded
	Failed   []*CommandError
}

// Error summarises the failures.
func (e *BatchError) Error() string {
	msgs := make([]string, len(e.Failed))
	for i, f := range e.Failed {
		msgs[i] = f.Error()
	}
	return fmt.Sprintf("memstore: %d batch command(s) failed: %s", len(e.Failed), strings.Join(msgs, "; "))
}

// Unwrap returns the failed commands' errors, so errors.Is(err, ErrX)
// tells whether any command failed with ErrX.
func (e *BatchError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		errs[i] = f
	}
	return errs
}

// ExecuteBatch runs cmds atomically and in order (no other client sees a
// partial batch) and returns how many succeeded. When some fail, the error
// is a *BatchError naming them; other errors are the call's own. The wire
// carries no per-command results: read values with MGet or Get.
func (c *Client) ExecuteBatch(ctx context.Context, cmds ...BatchCommand) (int, error) {
	pcmds := make([]*pb.BatchCommand, len(cmds))
	for i, cmd := range cmds {
		pcmds[i] = &pb.BatchCommand{Operation: cmd.Op, Key: cmd.Key, Value: cmd.Value}
		if cmd.TTL != 0 {
			pcmds[i].Expiration = durationpb.New(cmd.TTL)
		}
	}
	r, err := c.rpc.ExecuteBatch(ctx, &pb.RedisBatchRequest{UserId: c.user, OrganizationId: c.org, Commands: pcmds})
	if err != nil {
		return 0, err
	}
	executed := int(r.GetExecutedCount())
	if len(r.GetErrors()) == 0 {
		return executed, nil
	}
	return executed, &BatchError{Executed: executed, Failed: matchBatchErrors(cmds, r.GetErrors())}
}

// matchBatchErrors attributes the server's error texts, which come in
// command order as "{operation} failed for {key}: {reason}" or "unknown
// operation: {op}", to the commands they are about. The match is greedy in
// order, so it is exact unless the same operation on the same key appears
// twice with only the later one failing.
func matchBatchErrors(cmds []BatchCommand, texts []string) []*CommandError {
	out := make([]*CommandError, 0, len(texts))
	next := 0
	for _, text := range texts {
		ce := &CommandError{Index: -1}
		for i := next; i < len(cmds); i++ {
			if reason, ok := batchErrorFor(cmds[i], text); ok {
				ce = &CommandError{Index: i, Op: cmds[i].Op, Key: cmds[i].Key, Err: fromRedisText(reason)}
				next = i + 1
				break
			}
		}
		if ce.Index < 0 {
			ce.Err = fromRedisText(text)
		}
		out = append(out, ce)
	}
	return out
}

// batchErrorFor reports whether text is the server's error for cmd, and
// the reason it gives.
func batchErrorFor(cmd BatchCommand, text string) (string, bool) {
	if op, ok := strings.CutPrefix(text, "unknown operation: "); ok && strings.EqualFold(op, cmd.Op) {
		return text, true
	}
	if len(text) < len(cmd.Op) || !strings.EqualFold(text[:len(cmd.Op)], cmd.Op) {
		return "", false
	}
	return strings.CutPrefix(text[len(cmd.Op):], " failed for "+cmd.Key+": ")
}

// MSet sets every key to its value in one atomic ExecuteBatch of SETs, as
// the isA Python client's mset does. Keys are sent in sorted order.
func (c *Client) MSet(ctx context.Context, pairs map[string]string) error {
	keys := make([]string, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cmds := make([]BatchCommand, len(keys))
	for i, k := range keys {
		cmds[i] = BatchCommand{Op: "SET", Key: k, Value: pairs[k]}
	}
	_, err := c.ExecuteBatch(ctx, cmds...)
	return err
}

// MGet reads keys in one GetMultiple call and returns the values of those
// that exist; missing keys are absent from the map. No keys, no call.
func (c *Client) MGet(ctx context.Context, keys ...string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	return out, c.mgetInto(ctx, keys, out, nil)
}

// mgetInto adds the values of keys to out, under mu when given.
func (c *Client) mgetInto(ctx context.Context, keys []string, out map[string]string, mu *sync.Mutex) error {
	r, err := c.rpc.GetMultiple(ctx, &pb.GetMultipleRequest{UserId: c.user, OrganizationId: c.org, Keys: keys})
	if err != nil {
		return err
	}
	if mu != nil {
		mu.Lock()
		defer mu.Unlock()
	}
	for _, kv := range r.GetValues() {
		out[kv.GetKey()] = kv.GetValue()
	}
	return nil
}

// GetMany tuning: requests carry at most GetManyChunk keys (bounded
// messages, and chunks are served in parallel by the server's shards), and
// at most GetManyConcurrency chunks are in flight.
const (
	GetManyChunk       = 1000
	GetManyConcurrency = 8
)

// GetMany reads any number of keys: one GetMultiple when they fit in a
// chunk, otherwise chunks of GetManyChunk keys fetched concurrently. It
// returns the values of the keys that exist; the first failing chunk
// cancels the rest and its error is returned.
func (c *Client) GetMany(ctx context.Context, keys []string) (map[string]string, error) {
	if len(keys) <= GetManyChunk {
		return c.MGet(ctx, keys...)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	out := make(map[string]string, len(keys))
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, GetManyConcurrency)
	)
	for start := 0; start < len(keys); start += GetManyChunk {
		chunk := keys[start:min(start+GetManyChunk, len(keys))]
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := c.mgetInto(ctx, chunk, out, &mu); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return out, nil
}
