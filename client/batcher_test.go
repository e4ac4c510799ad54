package client

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// getMultipleEcho answers "v:<key>" for every key except those starting
// with "missing".
func getMultipleEcho(_ context.Context, req proto.Message) (proto.Message, error) {
	r := &pb.GetMultipleResponse{}
	for _, k := range req.(*pb.GetMultipleRequest).GetKeys() {
		if !strings.HasPrefix(k, "missing") {
			r.Values = append(r.Values, &pb.KeyValue{Key: k, Value: "v:" + k})
		}
	}
	return r, nil
}

// together runs fn(i) for i in [0, n) from n goroutines released at once.
func together(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

func TestBatcherCoalescesGets(t *testing.T) {
	f, c := startFake(t)
	f.on("GetMultiple", getMultipleEcho)
	b := NewBatcher(c, BatcherOptions{MaxSize: 256, MaxWait: 5 * time.Millisecond})
	t.Cleanup(func() { _ = b.Close() })
	const n = 1000
	vals := make([]string, n)
	errs := make([]error, n)
	together(n, func(i int) {
		key := fmt.Sprint("k", i)
		if i%10 == 0 {
			key = fmt.Sprint("missing", i)
		}
		vals[i], errs[i] = b.Get(testCtx(t), key)
	})
	for i := range n {
		if i%10 == 0 {
			require.ErrorIs(t, errs[i], Nil, "caller %d", i)
			continue
		}
		require.NoError(t, errs[i], "caller %d", i)
		require.Equal(t, fmt.Sprint("v:k", i), vals[i], "caller %d gets its own value", i)
	}
	calls := f.count("GetMultiple")
	require.GreaterOrEqual(t, calls, n/256)
	require.LessOrEqual(t, calls, 50, "1000 Gets must coalesce into few requests")
	t.Logf("%d Gets -> %d GetMultiple", n, calls)
}

func TestBatcherDeduplicatesKeys(t *testing.T) {
	f, c := startFake(t)
	var keys []string
	f.on("GetMultiple", func(ctx context.Context, req proto.Message) (proto.Message, error) {
		keys = req.(*pb.GetMultipleRequest).GetKeys()
		return getMultipleEcho(ctx, req)
	})
	b := NewBatcher(c, BatcherOptions{MaxSize: 3, MaxWait: time.Hour})
	t.Cleanup(func() { _ = b.Close() })
	vals := make([]string, 3)
	together(3, func(i int) {
		var err error
		vals[i], err = b.Get(testCtx(t), "same")
		require.NoError(t, err)
	})
	require.Equal(t, []string{"v:same", "v:same", "v:same"}, vals)
	require.Equal(t, []string{"same"}, keys)
}

func TestBatcherGetBatchFailure(t *testing.T) {
	f, c := startFake(t, WithRetries(1, 0, 0))
	f.on("GetMultiple", fail(codes.Unavailable, "down"))
	b := NewBatcher(c, BatcherOptions{MaxSize: 10, MaxWait: time.Millisecond})
	t.Cleanup(func() { _ = b.Close() })
	together(10, func(i int) {
		_, err := b.Get(testCtx(t), fmt.Sprint(i))
		require.ErrorIs(t, err, ErrUnavailable)
	})
}

func TestBatcherSets(t *testing.T) {
	f, c := startFake(t)
	var mu sync.Mutex
	written := map[string]string{}
	f.on("ExecuteBatch", func(_ context.Context, req proto.Message) (proto.Message, error) {
		r := &pb.RedisBatchResponse{}
		mu.Lock()
		defer mu.Unlock()
		for _, cmd := range req.(*pb.RedisBatchRequest).GetCommands() {
			if strings.HasPrefix(cmd.GetKey(), "bad") {
				r.Errors = append(r.Errors, fmt.Sprintf("%s failed for %s: WRONGTYPE Operation against a key holding the wrong kind of value", cmd.GetOperation(), cmd.GetKey()))
				continue
			}
			written[cmd.GetKey()] = cmd.GetValue()
			r.ExecutedCount++
		}
		r.Success = len(r.Errors) == 0
		return r, nil
	})
	b := NewBatcher(c, BatcherOptions{MaxSize: 64, MaxWait: 5 * time.Millisecond})
	t.Cleanup(func() { _ = b.Close() })
	const n = 300
	errs := make([]error, n)
	together(n, func(i int) {
		key := fmt.Sprint("k", i)
		if i%7 == 0 {
			key = fmt.Sprint("bad", i)
		}
		errs[i] = b.Set(testCtx(t), key, fmt.Sprint("v", i))
	})
	for i := range n {
		if i%7 == 0 {
			require.ErrorIs(t, errs[i], ErrWrongType, "caller %d gets its own key's error", i)
			continue
		}
		require.NoError(t, errs[i], "caller %d must not see another key's error", i)
		require.Equal(t, fmt.Sprint("v", i), written[fmt.Sprint("k", i)])
	}
	require.LessOrEqual(t, f.count("ExecuteBatch"), 50)
}

func TestBatcherUnattributableSetError(t *testing.T) {
	f, c := startFake(t)
	f.on("ExecuteBatch", reply(&pb.RedisBatchResponse{ExecutedCount: 1, Errors: []string{"mystery"}}))
	b := NewBatcher(c, BatcherOptions{MaxSize: 2, MaxWait: time.Hour})
	t.Cleanup(func() { _ = b.Close() })
	together(2, func(i int) {
		var be *BatchError
		require.ErrorAs(t, b.Set(testCtx(t), fmt.Sprint(i), "v"), &be, "no caller may be told a possibly false success")
	})
}

// pendingSets lists the Sets waiting in the gathering batch as "k=v".
func (b *Batcher) pendingSets() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, cl := range b.sets.calls {
		out = append(out, cl.key+"="+cl.value)
	}
	return out
}

func TestBatcherSameKeySetsSplitBatches(t *testing.T) {
	f, c := startFake(t)
	var mu sync.Mutex
	var batches [][]string
	f.on("ExecuteBatch", func(_ context.Context, req proto.Message) (proto.Message, error) {
		var cmds []string
		for _, cmd := range req.(*pb.RedisBatchRequest).GetCommands() {
			cmds = append(cmds, cmd.GetKey()+"="+cmd.GetValue())
		}
		mu.Lock()
		batches = append(batches, cmds)
		mu.Unlock()
		return &pb.RedisBatchResponse{Success: true, ExecutedCount: int32(len(cmds))}, nil
	})
	b := NewBatcher(c, BatcherOptions{MaxSize: 2, MaxWait: time.Hour})
	t.Cleanup(func() { _ = b.Close() })
	var wg sync.WaitGroup
	set := func(k, v string, pending ...string) {
		wg.Go(func() { require.NoError(t, b.Set(testCtx(t), k, v)) })
		require.Eventually(t, func() bool { return slices.Equal(b.pendingSets(), pending) }, 5*time.Second, time.Millisecond)
	}
	set("k", "1", "k=1")
	set("k", "2", "k=2") // sends [k=1] alone, then gathers k=2
	wg.Go(func() { require.NoError(t, b.Set(testCtx(t), "j", "3")) })
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	// The two batches are sent concurrently: their order is not fixed.
	require.ElementsMatch(t, [][]string{{"k=1"}, {"k=2", "j=3"}}, batches)
}

func TestBatcherCallerContext(t *testing.T) {
	f, c := startFake(t)
	release := make(chan struct{})
	f.on("GetMultiple", func(ctx context.Context, req proto.Message) (proto.Message, error) {
		<-release
		return getMultipleEcho(ctx, req)
	})
	b := NewBatcher(c, BatcherOptions{MaxSize: 2, MaxWait: time.Hour})
	t.Cleanup(func() { _ = b.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan error, 1)
	go func() {
		_, err := b.Get(ctx, "a")
		gone <- err
	}()
	stays := make(chan string, 1)
	go func() {
		v, err := b.Get(testCtx(t), "b")
		require.NoError(t, err)
		stays <- v
	}()
	require.Eventually(t, func() bool { return f.count("GetMultiple") == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	require.ErrorIs(t, <-gone, context.Canceled, "a caller whose context ends leaves at once")
	close(release)
	require.Equal(t, "v:b", <-stays, "the others of its batch still get their values")

	_, err := b.Get(ctx, "x")
	require.ErrorIs(t, err, context.Canceled, "a done context is refused before queueing")
}

func TestBatcherClose(t *testing.T) {
	f, c := startFake(t)
	f.on("GetMultiple", getMultipleEcho)
	b := NewBatcher(c, BatcherOptions{MaxSize: 100, MaxWait: time.Hour})
	res := make(chan string, 1)
	go func() {
		v, err := b.Get(testCtx(t), "a")
		require.NoError(t, err)
		res <- v
	}()
	require.Eventually(t, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.gets.calls) == 1
	}, 5*time.Second, time.Millisecond)
	require.NoError(t, b.Close())
	require.Equal(t, "v:a", <-res, "Close sends what was gathered")
	_, err := b.Get(testCtx(t), "a")
	require.ErrorIs(t, err, ErrBatcherClosed)
	require.ErrorIs(t, b.Set(testCtx(t), "a", "v"), ErrBatcherClosed)
	require.NoError(t, b.Close(), "Close twice is fine")
}
