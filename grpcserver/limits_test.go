package grpcserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

func TestLimitsDefaults(t *testing.T) {
	l, err := Limits{}.withDefaults(1234)
	require.NoError(t, err)
	assert.Equal(t, Limits{
		MaxKeyBytes: DefaultMaxKeyBytes, MaxValueBytes: 1234, MaxIDBytes: DefaultMaxIDBytes,
		MaxElements: DefaultMaxElements, ListKeysDefault: DefaultListKeysLimit, ListKeysMax: DefaultListKeysMax,
	}, l)
	l, err = Limits{MaxValueBytes: 7, ListKeysDefault: 5, ListKeysMax: 5}.withDefaults(1234)
	require.NoError(t, err)
	assert.Equal(t, 7, l.MaxValueBytes, "set fields are kept")
	assert.Equal(t, 5, l.ListKeysMax)
}

func TestListLimit(t *testing.T) {
	l := Limits{ListKeysDefault: 10, ListKeysMax: 100}
	for req, want := range map[int32]int{-5: 10, 0: 10, 1: 1, 100: 100, 101: 100, 1 << 30: 100} {
		assert.Equal(t, want, l.listLimit(req), "requested %d", req)
	}
}

func TestLimitChecks(t *testing.T) {
	l := Limits{MaxKeyBytes: 3, MaxValueBytes: 5, MaxElements: 2}
	assert.NoError(t, l.key("key", "abc"))
	assert.Equal(t, codes.ResourceExhausted, status.Code(l.key("key", "abcd")))
	assert.NoError(t, l.value("value", "abcde"))
	assert.Equal(t, codes.ResourceExhausted, status.Code(l.value("value", "abcdef")))
	assert.NoError(t, l.keys("keys", []string{"a", "b"}))
	assert.ErrorContains(t, l.keys("keys", []string{"a", "b", "c"}), "3 keys in one request, above the limit of 2")
	assert.ErrorContains(t, l.keys("fields", []string{"a", "long"}), "one of the fields is 4 bytes")
	assert.ErrorContains(t, l.values("values", []string{"a", "toolong"}), "one of the values is 7 bytes")
}

func TestDuration(t *testing.T) {
	d, err := duration("ttl", nil, false)
	require.NoError(t, err)
	assert.Zero(t, d, "unset is zero")
	d, err = duration("ttl", durationpb.New(1500*time.Millisecond), false)
	require.NoError(t, err)
	assert.Equal(t, 1500*time.Millisecond, d)
	_, err = duration("ttl", durationpb.New(-time.Second), false)
	assert.Equal(t, codes.InvalidArgument, status.Code(err))
	assert.ErrorContains(t, err, "ttl must not be negative")
	d, err = duration("ttl", durationpb.New(-time.Second), true)
	require.NoError(t, err)
	assert.Equal(t, -time.Second, d)
	_, err = duration("ttl", &durationpb.Duration{Seconds: 1, Nanos: -1}, true)
	assert.ErrorContains(t, err, "ttl is not a valid duration")
	_, err = duration("ttl", &durationpb.Duration{Seconds: 1 << 62}, true)
	assert.Equal(t, codes.InvalidArgument, status.Code(err), "beyond the proto range")
}
