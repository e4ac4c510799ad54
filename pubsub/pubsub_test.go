package pubsub

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newBroker(t testing.TB, bufSize int) *Broker {
	b := New(Options{BufferSize: bufSize})
	t.Cleanup(b.Close)
	return b
}

// recv takes the next buffered message; every publish in these tests has
// completed before recv is called, so nothing has to be waited for.
func recv(t *testing.T, s *Subscription) Message {
	t.Helper()
	select {
	case m, ok := <-s.C():
		require.True(t, ok, "subscription ended: %v", s.Err())
		return m
	default:
		require.FailNow(t, "no message buffered")
		return Message{}
	}
}

// drain returns every buffered message.
func drain(s *Subscription) []Message {
	var out []Message
	for {
		select {
		case m, ok := <-s.C():
			if !ok {
				return out
			}
			out = append(out, m)
		default:
			return out
		}
	}
}

func assertEmpty(t *testing.T, s *Subscription) {
	t.Helper()
	assert.Empty(t, drain(s))
}

// assertEnded checks that C is closed (after any buffered messages) with
// the given reason.
func assertEnded(t *testing.T, s *Subscription, reason error) {
	t.Helper()
	drain(s)
	select {
	case _, ok := <-s.C():
		assert.False(t, ok, "C still open")
	default:
		assert.Fail(t, "C not closed")
	}
	assert.ErrorIs(t, s.Err(), reason)
}

func TestDefaultBufferSize(t *testing.T) {
	b := New(Options{})
	t.Cleanup(b.Close)
	s := b.Subscribe("ns", "ch")
	assert.Equal(t, DefaultBufferSize, cap(s.C()))
	for range DefaultBufferSize {
		require.Equal(t, 1, b.Publish("ns", "ch", "m", t0))
	}
	assert.Equal(t, 0, b.Publish("ns", "ch", "overflow", t0))
	assertEnded(t, s, ErrSlowConsumer)
}

func TestPublishFanOut(t *testing.T) {
	b := newBroker(t, 16)
	assert.Equal(t, 0, b.Publish("ns", "ch", "nobody", t0))

	one := b.Subscribe("ns", "ch")
	assert.Equal(t, 1, b.Publish("ns", "ch", "hi", t0))
	assert.Equal(t, Message{Channel: "ch", Payload: "hi", Time: t0}, recv(t, one))

	subs := []*Subscription{one}
	for range 9 {
		subs = append(subs, b.Subscribe("ns", "ch"))
	}
	assert.Equal(t, 10, b.Publish("ns", "ch", "all", t0))
	for _, s := range subs {
		assert.Equal(t, "all", recv(t, s).Payload)
		assertEmpty(t, s)
	}
	assert.Equal(t, 0, b.Publish("ns", "other", "x", t0))
	for _, s := range subs {
		assertEmpty(t, s)
	}
}

func TestPublishCountsLikeRedis(t *testing.T) {
	b := newBroker(t, 16)
	// One subscription reached through its channel and two patterns: Redis
	// counts (and delivers) three times.
	s := b.Subscribe("ns", "news.tech")
	require.NoError(t, s.PSubscribe("news.*", "*.tech", "sport.*"))
	// A repeated subscription changes nothing.
	require.NoError(t, s.Subscribe("news.tech"))
	require.NoError(t, s.PSubscribe("news.*"))
	other := b.Subscribe("ns")
	require.NoError(t, other.PSubscribe("news.*"))

	assert.Equal(t, 4, b.Publish("ns", "news.tech", "p", t0))
	got := drain(s)
	require.Len(t, got, 3)
	assert.Equal(t, "", got[0].Pattern, "the channel delivery comes first")
	assert.ElementsMatch(t, []string{"news.*", "*.tech"}, []string{got[1].Pattern, got[2].Pattern})
	for _, m := range got {
		assert.Equal(t, "news.tech", m.Channel)
		assert.Equal(t, "p", m.Payload)
	}
	assert.Equal(t, Message{Channel: "news.tech", Pattern: "news.*", Payload: "p", Time: t0}, recv(t, other))

	assert.Equal(t, 2, b.Publish("ns", "news.sport", "q", t0))
	assert.Equal(t, 1, b.Publish("ns", "sport.x", "r", t0))
	assert.Equal(t, []int{1, 0}, b.NumSub("ns", "news.tech", "news.sport"))
	assert.Equal(t, 3, b.NumPat("ns"))
}

func TestPatternDelivery(t *testing.T) {
	for _, tc := range []struct {
		pattern, channel string
		want             bool
	}{
		{"*", "anything", true},
		{"*", "", false}, // Redis: no pattern reaches channel ""
		{"news.*", "news.tech", true},
		{"news.*", "news", false},
		{"h?llo", "hello", true},
		{"h?llo", "heello", false},
		{"h[ae]llo", "hallo", true},
		{"h[^e]llo", "hello", false},
		{"user:[0-9]*", "user:42", true},
		{"user:[0-9]*", "user:x", false},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{"News.*", "news.tech", false}, // case-sensitive
	} {
		t.Run(fmt.Sprintf("%q~%q", tc.pattern, tc.channel), func(t *testing.T) {
			b := newBroker(t, 4)
			s := b.Subscribe("ns")
			require.NoError(t, s.PSubscribe(tc.pattern))
			want := 0
			if tc.want {
				want = 1
			}
			assert.Equal(t, want, b.Publish("ns", tc.channel, "m", t0))
			assert.Len(t, drain(s), want)
		})
	}
}

func TestSlowConsumerIsDisconnected(t *testing.T) {
	b := newBroker(t, 2)
	stuck := b.Subscribe("ns", "ch")
	require.NoError(t, stuck.PSubscribe("c*"))
	reader := b.Subscribe("ns", "ch")

	// stuck takes 2 messages through its channel; the pattern delivery of
	// the second message overflows it.
	assert.Equal(t, 3, b.Publish("ns", "ch", "1", t0)) // stuck x2, reader
	_ = recv(t, reader)
	assert.Equal(t, 1, b.Publish("ns", "ch", "2", t0), "the overflowing subscriber is not counted")
	assert.Equal(t, "2", recv(t, reader).Payload)
	assert.Equal(t, 1, b.Publish("ns", "ch", "3", t0))
	assert.Equal(t, "3", recv(t, reader).Payload)
	assertEmpty(t, reader)
	assert.NoError(t, reader.Err())

	// What was buffered is still readable, then C is closed.
	got := drain(stuck)
	require.Len(t, got, 2)
	assert.Equal(t, "1", got[0].Payload)
	assert.Equal(t, "1", got[1].Payload)
	assertEnded(t, stuck, ErrSlowConsumer)

	// The dropped subscriber is gone from the broker's books.
	assert.Equal(t, []int{1}, b.NumSub("ns", "ch"))
	assert.Equal(t, 0, b.NumPat("ns"))
	assert.ErrorIs(t, stuck.Subscribe("x"), ErrSlowConsumer)
	stuck.Close()
	assert.ErrorIs(t, stuck.Err(), ErrSlowConsumer, "Close keeps the first reason")
}

func TestOrderPerPublisher(t *testing.T) {
	const publishers, perPublisher = 8, 500
	b := newBroker(t, publishers*perPublisher*2)
	s := b.Subscribe("ns", "ch")
	require.NoError(t, s.PSubscribe("c?"))

	var wg sync.WaitGroup
	for p := range publishers {
		wg.Go(func() {
			for i := range perPublisher {
				if n := b.Publish("ns", "ch", fmt.Sprintf("%d:%d", p, i), t0); n != 2 {
					t.Errorf("publish reached %d, want 2", n)
				}
			}
		})
	}
	wg.Wait()

	next := map[string][]int{"": make([]int, publishers), "c?": make([]int, publishers)}
	got := drain(s)
	require.Len(t, got, 2*publishers*perPublisher)
	for _, m := range got {
		p, i, ok := strings.Cut(m.Payload, ":")
		require.True(t, ok)
		pi, _ := strconv.Atoi(p)
		ii, _ := strconv.Atoi(i)
		require.Equal(t, next[m.Pattern][pi], ii, "publisher %d via %q out of order", pi, m.Pattern)
		next[m.Pattern][pi]++
	}
	assert.NoError(t, s.Err())
}

func TestUnsubscribe(t *testing.T) {
	b := newBroker(t, 16)
	s := b.Subscribe("ns", "a", "b", "c")
	require.NoError(t, s.PSubscribe("p*", "q*"))

	assert.Equal(t, 4, s.Unsubscribe("a", "not-subscribed"))
	assert.Equal(t, 0, b.Publish("ns", "a", "m", t0))
	assert.Equal(t, 1, b.Publish("ns", "b", "m", t0))
	assert.Equal(t, 3, s.PUnsubscribe("p*")) // not the last pattern added
	assert.Equal(t, 0, b.Publish("ns", "p1", "m", t0))
	assert.Equal(t, 1, b.Publish("ns", "q1", "m", t0))
	assert.Equal(t, []string{"b", "c"}, b.Channels("ns", ""))

	assert.Equal(t, 1, s.Unsubscribe(), "no arguments: every channel")
	assert.Equal(t, 1, b.Publish("ns", "q2", "m", t0))
	assert.Empty(t, b.Channels("ns", ""))
	assert.Equal(t, 1, b.NumPat("ns"))
	assert.Equal(t, 0, s.PUnsubscribe(), "no arguments: every pattern")
	assert.Equal(t, 0, b.NumPat("ns"))

	// Like a Redis connection, an empty subscription stays open.
	assert.NoError(t, s.Err())
	require.NoError(t, s.Subscribe("again"))
	assert.Equal(t, 1, b.Publish("ns", "again", "m", t0))
	got := drain(s)
	require.Len(t, got, 4)
	assert.Equal(t, "again", got[3].Channel)

	// Other subscribers of a channel are not affected by one leaving, and
	// the swap-removal keeps the survivors' bookkeeping right.
	subs := []*Subscription{b.Subscribe("ns", "x"), b.Subscribe("ns", "x"), b.Subscribe("ns", "x")}
	assert.Equal(t, 0, subs[0].Unsubscribe("x"))
	assert.Equal(t, 2, b.Publish("ns", "x", "m", t0))
	assert.Equal(t, 0, subs[2].Unsubscribe("x"))
	assert.Equal(t, 1, b.Publish("ns", "x", "m", t0))
	assert.Len(t, drain(subs[1]), 2)
	assert.Equal(t, 0, subs[1].Unsubscribe("x"))
	assert.Equal(t, 0, b.Publish("ns", "x", "m", t0))
}

func TestSubscriptionClose(t *testing.T) {
	b := newBroker(t, 16)
	s := b.Subscribe("ns", "ch")
	require.NoError(t, s.PSubscribe("*"))
	keep := b.Subscribe("ns", "ch")

	assert.Equal(t, 3, b.Publish("ns", "ch", "before", t0))
	s.Close()
	s.Close() // idempotent
	assert.Len(t, drain(s), 2, "buffered messages survive Close")
	assertEnded(t, s, ErrClosed)

	assert.Equal(t, 1, b.Publish("ns", "ch", "after", t0))
	assert.Equal(t, []int{1}, b.NumSub("ns", "ch"))
	assert.Equal(t, 0, b.NumPat("ns"))
	assert.ErrorIs(t, s.Subscribe("x"), ErrClosed)
	assert.ErrorIs(t, s.PSubscribe("x*"), ErrClosed)
	assert.Equal(t, 0, s.Unsubscribe())
	assert.Equal(t, 0, s.PUnsubscribe("x*"))
	assert.Len(t, drain(keep), 2)
	assert.NoError(t, keep.Err())
}

func TestBrokerClose(t *testing.T) {
	b := New(Options{BufferSize: 4})
	subs := []*Subscription{
		b.Subscribe("a", "ch"),
		b.Subscribe("b", "ch"),
		b.Subscribe("a"), // no channels: ended too
	}
	require.NoError(t, subs[1].PSubscribe("*"))
	b.Close()
	b.Close() // idempotent
	for _, s := range subs {
		assertEnded(t, s, ErrBrokerClosed)
		s.Close()
		assert.ErrorIs(t, s.Err(), ErrBrokerClosed)
	}
	assert.Equal(t, 0, b.Publish("a", "ch", "m", t0))
	assert.Empty(t, b.Channels("a", ""))
	assert.Equal(t, 0, b.NumPat("b"))

	late := b.Subscribe("a", "ch")
	assertEnded(t, late, ErrBrokerClosed)
	assert.ErrorIs(t, late.Subscribe("x"), ErrBrokerClosed)
	assert.Empty(t, b.spaces)
	assert.Empty(t, b.subs)
}

func TestNamespaceIsolation(t *testing.T) {
	b := newBroker(t, 16)
	// Names that would collide if namespace and channel were concatenated.
	ax := b.Subscribe("a", "x:y")
	axy := b.Subscribe("a:x", "y")
	empty := b.Subscribe("", "a:x:y")
	require.NoError(t, ax.PSubscribe("*"))

	assert.Equal(t, 2, b.Publish("a", "x:y", "m", t0))
	assert.Len(t, drain(ax), 2)
	assertEmpty(t, axy)
	assertEmpty(t, empty)

	assert.Equal(t, 1, b.Publish("a:x", "y", "m", t0))
	assertEmpty(t, ax)
	assert.Len(t, drain(axy), 1)

	assert.Equal(t, 1, b.Publish("", "a:x:y", "m", t0))
	assertEmpty(t, ax)
	assert.Len(t, drain(empty), 1)
	assert.Equal(t, 0, b.Publish("b", "x:y", "m", t0))

	assert.Equal(t, []string{"x:y"}, b.Channels("a", ""))
	assert.Equal(t, []string{"y"}, b.Channels("a:x", "*"))
	assert.Equal(t, []int{1, 0}, b.NumSub("a", "x:y", "y"))
	assert.Equal(t, 1, b.NumPat("a"))
	assert.Equal(t, 0, b.NumPat("a:x"))
}

func TestIntrospection(t *testing.T) {
	b := newBroker(t, 4)
	s1 := b.Subscribe("ns", "news.tech", "news.sport", "weather", "")
	s2 := b.Subscribe("ns", "news.tech")
	require.NoError(t, s1.PSubscribe("n*", "w*"))
	require.NoError(t, s2.PSubscribe("n*"))

	assert.Equal(t, []string{"", "news.sport", "news.tech", "weather"}, b.Channels("ns", ""))
	assert.Equal(t, []string{"news.sport", "news.tech"}, b.Channels("ns", "news.*"))
	assert.Equal(t, []string{"news.sport", "news.tech", "weather"}, b.Channels("ns", "*"), `"*" does not match ""`)
	assert.Empty(t, b.Channels("ns", "x*"))
	assert.Empty(t, b.Channels("other", ""))
	assert.Equal(t, []int{2, 1, 0, 2}, b.NumSub("ns", "news.tech", "weather", "nope", "news.tech"))
	assert.Equal(t, []int{}, b.NumSub("ns"))
	assert.Equal(t, 2, b.NumPat("ns"), "distinct patterns")

	s1.Close()
	s2.Close()
	assert.Empty(t, b.spaces, "empty namespaces are dropped")
	assert.Empty(t, b.subs)
}

func TestPublishDoesNotAllocate(t *testing.T) {
	b := newBroker(t, 1024)
	s := b.Subscribe("ns", "ch")
	require.NoError(t, s.PSubscribe("c*", "x*"))
	for range 10 {
		b.Subscribe("ns", "ch")
	}
	allocs := testing.AllocsPerRun(50, func() {
		if b.Publish("ns", "ch", "payload", t0) != 12 {
			t.Fatal("lost a delivery")
		}
	})
	assert.Zero(t, allocs)
}

// TestConcurrentUse mixes every operation across goroutines; under -race it
// checks the locking, and the final state checks the bookkeeping.
func TestConcurrentUse(t *testing.T) {
	b := newBroker(t, 8)
	var publishers, subscribers sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		publishers.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				b.Publish("ns", "ch"+strconv.Itoa(i%3), "m", t0)
				b.Publish("ns"+strconv.Itoa(g%2), "ch", "m", t0)
			}
		})
	}
	for range 4 {
		subscribers.Go(func() {
			for i := range 300 {
				s := b.Subscribe("ns", "ch0", "ch1")
				_ = s.PSubscribe("ch*")
				drain(s)
				_ = s.Subscribe("ch2")
				s.Unsubscribe("ch0")
				if i%2 == 0 {
					s.PUnsubscribe()
				}
				_ = b.Channels("ns", "ch*")
				_ = b.NumSub("ns", "ch1")
				_ = b.NumPat("ns")
				drain(s)
				s.Close()
				s.Close()
				if err := s.Err(); err != ErrClosed && err != ErrSlowConsumer {
					t.Errorf("ended with %v", err)
				}
			}
		})
	}
	subscribers.Wait()
	close(stop)
	publishers.Wait()
	assert.Empty(t, b.spaces)
	assert.Empty(t, b.subs)
}

// BenchmarkPublish publishes to n subscribers of one channel, each drained
// by its own goroutine, and reports deliveries per second. The publisher
// is faster than a consumer's wake-ups, so every batch it waits (yielding,
// never sleeping) until the consumers are at most one batch behind: the
// figure is sustained throughput, and no subscriber is ever dropped.
func BenchmarkPublish(b *testing.B) {
	const batch = 512
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subs=%d", n), func(b *testing.B) {
			br := New(Options{BufferSize: 4 * batch})
			var consumers sync.WaitGroup
			b.Cleanup(func() {
				br.Close()
				consumers.Wait()
			})
			received := make([]atomic.Int64, n)
			for i := range n {
				s := br.Subscribe("ns", "bench")
				consumers.Go(func() {
					for range s.C() {
						received[i].Add(1)
					}
				})
			}
			b.ReportAllocs()
			b.ResetTimer()
			var published int64
			for b.Loop() {
				if got := br.Publish("ns", "bench", "payload", t0); got != n {
					b.Fatalf("delivered to %d of %d subscribers", got, n)
				}
				published++
				if published%batch == 0 {
					for i := range received {
						for received[i].Load() < published-batch {
							runtime.Gosched()
						}
					}
				}
			}
			b.ReportMetric(float64(published)*float64(n)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}
