package grpcserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestHashes(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	hs, err := c.HSet(ctx, &pb.HSetRequest{UserId: user, Key: "h", Fields: []*pb.HashField{{Field: "a", Value: "1"}, {Field: "counter", Value: "10"}}})
	require.NoError(t, err)
	assert.True(t, hs.Success)
	assert.Equal(t, int32(2), hs.FieldsSet)
	hs, err = c.HSet(ctx, &pb.HSetRequest{UserId: user, Key: "h", Fields: []*pb.HashField{{Field: "a", Value: "2"}, {Field: "b", Value: "3"}}})
	require.NoError(t, err)
	assert.Equal(t, int32(1), hs.FieldsSet, "new fields only")

	g, err := c.HGet(ctx, &pb.HGetRequest{UserId: user, Key: "h", Field: "a"})
	require.NoError(t, err)
	assert.Equal(t, "2", g.Value)
	assert.True(t, g.Found)
	g, err = c.HGet(ctx, &pb.HGetRequest{UserId: user, Key: "h", Field: "zz"})
	require.NoError(t, err)
	assert.False(t, g.Found)

	all, err := c.HGetAll(ctx, &pb.HGetAllRequest{UserId: user, Key: "h"})
	require.NoError(t, err)
	var pairs [][2]string
	for _, f := range all.Fields {
		pairs = append(pairs, [2]string{f.Field, f.Value})
	}
	assert.Equal(t, [][2]string{{"a", "2"}, {"counter", "10"}, {"b", "3"}}, pairs, "insertion order, as the engine keeps it")
	ks, err := c.HKeys(ctx, &pb.HKeysRequest{UserId: user, Key: "h"})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "counter", "b"}, ks.Fields)
	vs, err := c.HValues(ctx, &pb.HValuesRequest{UserId: user, Key: "h"})
	require.NoError(t, err)
	assert.Equal(t, []string{"2", "10", "3"}, vs.Values)
	ex, err := c.HExists(ctx, &pb.HExistsRequest{UserId: user, Key: "h", Field: "b"})
	require.NoError(t, err)
	assert.True(t, ex.Exists)

	inc, err := c.HIncrement(ctx, &pb.HIncrementRequest{UserId: user, Key: "h", Field: "counter", Delta: 5})
	require.NoError(t, err)
	assert.Equal(t, int64(15), inc.Value)
	_, err = c.HIncrement(ctx, &pb.HIncrementRequest{UserId: user, Key: "h", Field: "nope", Delta: 0})
	require.NoError(t, err)
	g, err = c.HGet(ctx, &pb.HGetRequest{UserId: user, Key: "h", Field: "nope"})
	require.NoError(t, err)
	assert.Equal(t, "0", g.Value, "HINCRBY takes the delta as given")
	_, err = c.HIncrement(ctx, &pb.HIncrementRequest{UserId: user, Key: "h", Field: "a", Delta: 1})
	require.NoError(t, err)
	_, err = c.HSet(ctx, &pb.HSetRequest{UserId: user, Key: "h", Fields: []*pb.HashField{{Field: "s", Value: "x"}}})
	require.NoError(t, err)
	_, err = c.HIncrement(ctx, &pb.HIncrementRequest{UserId: user, Key: "h", Field: "s", Delta: 1})
	requireCode(t, err, codes.InvalidArgument, "ERR hash value is not an integer")

	d, err := c.HDelete(ctx, &pb.HDeleteRequest{UserId: user, Key: "h", Fields: []string{"a", "b", "zz"}})
	require.NoError(t, err)
	assert.True(t, d.Success)
	assert.Equal(t, int32(2), d.DeletedCount)

	_, err = c.HSet(ctx, &pb.HSetRequest{UserId: user, Key: "h"})
	requireCode(t, err, codes.InvalidArgument, "ERR wrong number of arguments for 'hset' command")
	_, err = c.HDelete(ctx, &pb.HDeleteRequest{UserId: user, Key: "h"})
	requireCode(t, err, codes.InvalidArgument, "ERR wrong number of arguments for 'hdel' command")

	missing, err := c.HGetAll(ctx, &pb.HGetAllRequest{UserId: user, Key: "missing"})
	require.NoError(t, err)
	assert.Empty(t, missing.Fields)
}

func TestWrongType(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	_, err := c.HSet(ctx, &pb.HSetRequest{UserId: user, Key: "h", Fields: []*pb.HashField{{Field: "f", Value: "v"}}})
	require.NoError(t, err)
	_, err = c.Set(ctx, &pb.SetRequest{UserId: user, Key: "s", Value: "v"})
	require.NoError(t, err)
	const wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"
	_, err = c.Get(ctx, &pb.GetRequest{UserId: user, Key: "h"})
	requireCode(t, err, codes.FailedPrecondition, wrongType)
	_, err = c.Increment(ctx, &pb.IncrementRequest{UserId: user, Key: "h"})
	requireCode(t, err, codes.FailedPrecondition, wrongType)
	_, err = c.HGet(ctx, &pb.HGetRequest{UserId: user, Key: "s", Field: "f"})
	requireCode(t, err, codes.FailedPrecondition, wrongType)
	_, err = c.LPush(ctx, &pb.LPushRequest{UserId: user, Key: "s", Values: []string{"x"}})
	requireCode(t, err, codes.FailedPrecondition, wrongType)

	// GetMultiple never fails on type: a hash is just not a found string.
	r, err := c.GetMultiple(ctx, &pb.GetMultipleRequest{UserId: user, Keys: []string{"h", "s"}})
	require.NoError(t, err)
	require.Len(t, r.Values, 1)
	assert.Equal(t, "s", r.Values[0].Key)
}

func TestHashLimits(t *testing.T) {
	h := newHarness(t, Options{Limits: Limits{MaxKeyBytes: 4, MaxValueBytes: 4, MaxElements: 2}})
	ctx := testCtx(t)
	c := h.client
	_, err := c.HSet(ctx, &pb.HSetRequest{UserId: user, Key: "h", Fields: []*pb.HashField{{Field: "12345", Value: "v"}}})
	requireCode(t, err, codes.ResourceExhausted, "field is 5 bytes")
	_, err = c.HSet(ctx, &pb.HSetRequest{UserId: user, Key: "h", Fields: []*pb.HashField{{Field: "f", Value: "12345"}}})
	requireCode(t, err, codes.ResourceExhausted, "value is 5 bytes")
	_, err = c.HSet(ctx, &pb.HSetRequest{UserId: user, Key: "h", Fields: []*pb.HashField{{Field: "a"}, {Field: "b"}, {Field: "c"}}})
	requireCode(t, err, codes.ResourceExhausted, "3 fields in one request")
	_, err = c.HDelete(ctx, &pb.HDeleteRequest{UserId: user, Key: "h", Fields: []string{"a", "b", "c"}})
	requireCode(t, err, codes.ResourceExhausted, "3 fields in one request")
	ex, err := c.Exists(ctx, &pb.ExistsRequest{UserId: user, Key: "h"})
	require.NoError(t, err)
	assert.False(t, ex.Exists, "refused requests change nothing")
}
