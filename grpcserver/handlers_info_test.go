package grpcserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestGetStatistics(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	_, err := c.Set(ctx, &pb.SetRequest{UserId: user, OrganizationId: org, Key: "s", Value: "v"})
	require.NoError(t, err)
	_, err = c.HSet(ctx, &pb.HSetRequest{UserId: user, OrganizationId: org, Key: "h", Fields: []*pb.HashField{{Field: "f", Value: "v"}}})
	require.NoError(t, err)
	_, err = c.RPush(ctx, &pb.RPushRequest{UserId: user, OrganizationId: org, Key: "l", Values: []string{"a"}})
	require.NoError(t, err)
	for _, k := range []string{"s", "s", "s", "missing"} {
		_, err = c.Get(ctx, &pb.GetRequest{UserId: user, OrganizationId: org, Key: k})
		require.NoError(t, err)
	}
	// Another tenant's data is not counted.
	_, err = c.Set(ctx, &pb.SetRequest{UserId: "other", Key: "s", Value: "v"})
	require.NoError(t, err)

	r, err := c.GetStatistics(ctx, &pb.GetStatisticsRequest{UserId: user, OrganizationId: org})
	require.NoError(t, err)
	assert.Equal(t, int64(3), r.TotalKeys)
	assert.Equal(t, map[string]int64{"string": 1, "hash": 1, "list": 1, "set": 0, "zset": 0}, r.KeyTypeDistribution)
	assert.Equal(t, 0.75, r.HitRate, "3 hits, 1 miss")
	assert.Equal(t, int64(7), r.CommandsProcessed, "3 writes and 4 reads")
	assert.Positive(t, r.MemoryUsedBytes)
	assert.Equal(t, int64(1), r.ConnectionsReceived, "server-wide")

	empty, err := c.GetStatistics(ctx, &pb.GetStatisticsRequest{UserId: "new-user"})
	require.NoError(t, err)
	assert.Zero(t, empty.TotalKeys)
	assert.Zero(t, empty.MemoryUsedBytes)
}

func TestGetKeyInfo(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	created := h.clock.Now()
	_, err := c.SetWithExpiration(ctx, &pb.SetWithExpirationRequest{UserId: user, Key: "k", Value: "value", Expiration: durationpb.New(time.Hour)})
	require.NoError(t, err)
	h.clock.Advance(time.Minute)
	_, err = c.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
	require.NoError(t, err)
	h.clock.Advance(time.Minute)

	r, err := c.GetKeyInfo(ctx, &pb.GetKeyInfoRequest{UserId: user, Key: "k"})
	require.NoError(t, err)
	assert.True(t, r.Exists)
	assert.Equal(t, pb.ValueType_VALUE_TYPE_STRING, r.Type)
	assert.Equal(t, int64(3480), r.TtlSeconds)
	assert.GreaterOrEqual(t, r.SizeBytes, int64(len("k")+len("value")))
	assert.Equal(t, created, r.CreatedAt.AsTime())
	assert.Equal(t, created.Add(time.Minute), r.LastAccessed.AsTime(), "the last access before this call")

	for key, typ := range map[string]pb.ValueType{"h": pb.ValueType_VALUE_TYPE_HASH, "l": pb.ValueType_VALUE_TYPE_LIST} {
		if typ == pb.ValueType_VALUE_TYPE_HASH {
			_, err = c.HSet(ctx, &pb.HSetRequest{UserId: user, Key: key, Fields: []*pb.HashField{{Field: "f", Value: "v"}}})
		} else {
			_, err = c.LPush(ctx, &pb.LPushRequest{UserId: user, Key: key, Values: []string{"v"}})
		}
		require.NoError(t, err)
		r, err = c.GetKeyInfo(ctx, &pb.GetKeyInfoRequest{UserId: user, Key: key})
		require.NoError(t, err)
		assert.Equal(t, typ, r.Type, key)
		assert.Equal(t, int64(-1), r.TtlSeconds, key)
	}

	r, err = c.GetKeyInfo(ctx, &pb.GetKeyInfoRequest{UserId: user, Key: "missing"})
	require.NoError(t, err)
	assert.False(t, r.Exists)
	assert.Equal(t, int64(-2), r.TtlSeconds)
	assert.Nil(t, r.CreatedAt)
}

func TestHealthCheck(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	for _, deep := range []bool{false, true} {
		r, err := c.HealthCheck(ctx, &pb.RedisHealthCheckRequest{DeepCheck: deep})
		require.NoError(t, err)
		assert.True(t, r.Healthy)
		assert.Equal(t, "healthy", r.RedisStatus)
		assert.Equal(t, int64(1), r.ConnectedClients)
		assert.NotEmpty(t, r.Message)
		assert.WithinDuration(t, time.Now(), r.CheckedAt.AsTime(), time.Minute)
	}
	_, err := c.Set(ctx, &pb.SetRequest{UserId: user, Key: "k", Value: "value"})
	require.NoError(t, err)
	r, err := c.HealthCheck(ctx, &pb.RedisHealthCheckRequest{DeepCheck: true})
	require.NoError(t, err)
	assert.Positive(t, r.UsedMemoryBytes)
	st, err := c.GetStatistics(ctx, &pb.GetStatisticsRequest{UserId: user})
	require.NoError(t, err)
	assert.Equal(t, int64(1), st.TotalKeys, "the deep check leaves no trace in a tenant")
	list, err := c.ListKeys(ctx, &pb.ListKeysRequest{UserId: user})
	require.NoError(t, err)
	assert.Equal(t, []string{"k"}, list.Keys)

	require.NoError(t, h.eng.Close())
	r, err = c.HealthCheck(ctx, &pb.RedisHealthCheckRequest{})
	require.NoError(t, err, "unhealthy is an answer")
	assert.False(t, r.Healthy)
	assert.Equal(t, "unhealthy", r.RedisStatus)
	assert.Equal(t, "ERR the engine is closed", r.Message)
	_, err = c.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
	requireCode(t, err, codes.Unavailable, "ERR the engine is closed")
}
