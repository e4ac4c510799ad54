package redisbackend

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/internal/testredis"
	"github.com/isa-cloud/isa-memstore/pubsub"
)

func TestSubscriptionLifecycle(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *Backend{"standalone": standalone, "cluster": cluster} {
		t.Run(name, func(t *testing.T) {
			b := open(t)
			ctx := testCtx(t)
			tn, other := freshTenant(), freshTenant()
			sub, err := b.Subscribe(ctx, tn, []string{"a", "b"})
			require.NoError(t, err)
			defer sub.Close()

			n, err := b.Publish(ctx, other, "a", "intruder")
			require.NoError(t, err)
			assert.Zero(t, n, "another tenant's channel a is another channel")
			n, err = b.Publish(ctx, tn, "a", "1")
			require.NoError(t, err)
			assert.Equal(t, int64(1), n)
			m := <-sub.C()
			assert.Equal(t, "a", m.Channel, "without the tenant prefix")
			assert.Equal(t, "1", m.Payload)
			assert.WithinDuration(t, time.Now(), m.Time, time.Minute)

			assert.Equal(t, 1, sub.Unsubscribe("a", "never-subscribed"))
			n, err = b.Publish(ctx, tn, "a", "gone")
			require.NoError(t, err)
			assert.Zero(t, n, "Redis confirmed the unsubscribe before it returned")
			assert.Equal(t, 0, sub.Unsubscribe())
			sub.Close()
			sub.Close() // idempotent
			_, open := <-sub.C()
			assert.False(t, open)
			assert.ErrorIs(t, sub.Err(), pubsub.ErrClosed)
		})
	}
}

func TestSlowSubscriberIsDropped(t *testing.T) {
	b := newBackend(t, Options{Addrs: []string{testredis.Addr(t)}, DB: testDB, SubscriptionQueue: 4})
	ctx := testCtx(t)
	tn := freshTenant()
	sub, err := b.Subscribe(ctx, tn, []string{"c"})
	require.NoError(t, err)
	defer sub.Close()
	for i := range 10 {
		_, err := b.Publish(ctx, tn, "c", fmt.Sprint(i))
		require.NoError(t, err, "publishers never wait for a subscriber")
	}
	// Nobody reads: the fifth message finds the queue full.
	require.Eventually(t, func() bool { return sub.Err() != nil }, 10*time.Second, time.Millisecond)
	assert.ErrorIs(t, sub.Err(), pubsub.ErrSlowConsumer)
	var got []string
	for m := range sub.C() { // closed once dropped, after what was queued
		got = append(got, m.Payload)
	}
	assert.Equal(t, []string{"0", "1", "2", "3"}, got)
}

func TestCloseEndsSubscriptions(t *testing.T) {
	b, err := New(testCtx(t), Options{Addrs: []string{testredis.Addr(t)}, DB: testDB, Logger: quietLogger()})
	require.NoError(t, err)
	sub, err := b.Subscribe(testCtx(t), freshTenant(), []string{"c"})
	require.NoError(t, err)
	require.NoError(t, b.Close())
	_, open := <-sub.C()
	assert.False(t, open)
	assert.ErrorIs(t, sub.Err(), pubsub.ErrBrokerClosed)
	sub.Close()
	require.NoError(t, b.Close(), "Close is idempotent")
}
