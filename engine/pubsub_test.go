package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/isa-cloud/isa-memstore/pubsub"
	"github.com/isa-cloud/isa-memstore/ttl"
)

func recvMsg(t *testing.T, s *pubsub.Subscription) pubsub.Message {
	t.Helper()
	select {
	case m, ok := <-s.C():
		require.True(t, ok, "subscription ended: %v", s.Err())
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message")
	}
	panic("unreachable")
}

func TestPublishSubscribe(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	clock := ttl.NewManual(time.Time{})
	e := coordEngine(t, clock, Options{})
	db := e.DB("tenant")

	require.Zero(t, db.Publish("news", "nobody listens"))
	a := db.Subscribe("news")
	t.Cleanup(a.Close)
	b := db.PSubscribe("n*")
	t.Cleanup(b.Close)

	clock.Advance(time.Minute)
	require.Equal(t, 2, db.Publish("news", "hello"))
	m := recvMsg(t, a)
	require.Equal(t, pubsub.Message{Channel: "news", Payload: "hello", Time: clock.Now()}, m,
		"stamped with the engine's clock")
	m = recvMsg(t, b)
	require.Equal(t, "n*", m.Pattern)
	require.Equal(t, "hello", m.Payload)

	require.Equal(t, 1, db.Publish("nature", "only the pattern"))
	require.Equal(t, "nature", recvMsg(t, b).Channel)
	require.Equal(t, []string{"news"}, db.PubSubChannels(""))
	require.Equal(t, []int{1, 0}, db.PubSubNumSub("news", "nature"))
	require.Equal(t, 1, db.PubSubNumPat())

	// Keys and channels are unrelated.
	n, err := db.DBSize()
	require.NoError(t, err)
	require.Zero(t, n)

	a.Close()
	b.Close()
	require.NoError(t, e.Close()) // before the leak check
}

func TestPubSubNamespacesAreIsolated(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{})
	a, b := e.DB("org-1/user-1"), e.DB("org-2/user-1")
	sa := a.Subscribe("events")
	t.Cleanup(sa.Close)
	sb := b.PSubscribe("*")
	t.Cleanup(sb.Close)

	require.Equal(t, 1, a.Publish("events", "for a"))
	require.Equal(t, 1, b.Publish("events", "for b"))
	require.Equal(t, "for a", recvMsg(t, sa).Payload)
	require.Equal(t, "for b", recvMsg(t, sb).Payload)
	select {
	case m := <-sa.C():
		t.Fatalf("a heard %+v", m)
	case m := <-sb.C():
		t.Fatalf("b heard %+v", m)
	default:
	}
	require.Zero(t, e.DB("org-3").Publish("events", "nobody"))
}

func TestPubSubSlowConsumerDisconnected(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{PubSubBuffer: 2})
	db := e.DB("ns")
	slow := db.Subscribe("c")
	t.Cleanup(slow.Close)
	fast := db.Subscribe("c")
	t.Cleanup(fast.Close)

	for i := 0; i < 2; i++ {
		require.Equal(t, 2, db.Publish("c", "m"))
		recvMsg(t, fast)
	}
	require.Equal(t, 1, db.Publish("c", "overflow"), "the slow one is dropped, not waited for")
	require.Equal(t, "overflow", recvMsg(t, fast).Payload)
	require.ErrorIs(t, slow.Err(), pubsub.ErrSlowConsumer)
	require.Equal(t, 1, db.Publish("c", "after"))
}

func TestPubSubCloseEndsSubscriptions(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{})
	db := e.DB("ns")
	s := db.Subscribe("c")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range s.C() { // a consumer goroutine, as a server stream has
		}
	}()
	require.NoError(t, e.Close())
	<-done
	require.ErrorIs(t, s.Err(), pubsub.ErrBrokerClosed)
	require.Zero(t, db.Publish("c", "late"))
	late := db.Subscribe("c")
	require.ErrorIs(t, late.Err(), pubsub.ErrBrokerClosed)
}

func TestPubSubCountsCommands(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{})
	db := e.DB("ns")
	s := db.Subscribe("c")
	t.Cleanup(s.Close)
	db.Publish("c", "1")
	st, err := db.Stats()
	require.NoError(t, err)
	require.EqualValues(t, 2, st.Commands)
}
