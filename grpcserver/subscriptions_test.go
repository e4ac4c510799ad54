package grpcserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/pubsub"
)

func TestSubscriptionsRegistry(t *testing.T) {
	b := pubsub.New(pubsub.Options{})
	t.Cleanup(b.Close)
	var r subscriptions
	a, other := Tenant{User: "a"}, Tenant{User: "b"}
	s1 := b.Subscribe("ns-a", "x", "y")
	s2 := b.Subscribe("ns-a", "x")
	s3 := b.Subscribe("ns-b", "x")
	r.add(a, s1)
	remove2 := r.add(a, s2)
	r.add(other, s3)

	assert.Equal(t, 2, r.unsubscribe(a, []string{"x"}))
	assert.NoError(t, s1.Err(), "s1 still has y")
	_, open := <-s2.C()
	assert.False(t, open, "s2 lost its last channel: closed")
	assert.ErrorIs(t, s2.Err(), pubsub.ErrClosed)
	assert.NoError(t, s3.Err(), "another tenant is untouched")
	assert.Equal(t, 1, b.Publish("ns-b", "x", "m", time.Now()))

	remove2()
	assert.Equal(t, 1, r.unsubscribe(a, nil), "only s1 is left for a")
	require.ErrorIs(t, s1.Err(), pubsub.ErrClosed, "no channels given: all of them")
	assert.Zero(t, r.unsubscribe(Tenant{User: "nobody"}, nil))
}
