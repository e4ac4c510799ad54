package grpcserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestLists(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	lrange := func(start, stop int32) []string {
		r, err := c.LRange(ctx, &pb.LRangeRequest{UserId: user, Key: "l", Start: start, Stop: stop})
		require.NoError(t, err)
		return r.Values
	}
	rp, err := c.RPush(ctx, &pb.RPushRequest{UserId: user, Key: "l", Values: []string{"a", "b", "c", "d", "e"}})
	require.NoError(t, err)
	assert.Equal(t, int32(5), rp.Length)
	lp, err := c.LPush(ctx, &pb.LPushRequest{UserId: user, Key: "l", Values: []string{"y", "z"}})
	require.NoError(t, err)
	assert.Equal(t, int32(7), lp.Length, "length after the push")
	assert.Equal(t, []string{"z", "y", "a", "b", "c", "d", "e"}, lrange(0, -1))
	assert.Equal(t, []string{"d", "e"}, lrange(-2, -1))
	assert.Empty(t, lrange(5, 2))

	ix, err := c.LIndex(ctx, &pb.LIndexRequest{UserId: user, Key: "l", Index: -1})
	require.NoError(t, err)
	assert.Equal(t, &pb.LIndexResponse{Found: true, Value: "e"}, &pb.LIndexResponse{Found: ix.Found, Value: ix.Value})
	ix, err = c.LIndex(ctx, &pb.LIndexRequest{UserId: user, Key: "l", Index: 7})
	require.NoError(t, err)
	assert.False(t, ix.Found)

	lpop, err := c.LPop(ctx, &pb.LPopRequest{UserId: user, Key: "l"})
	require.NoError(t, err)
	assert.Equal(t, "z", lpop.Value)
	rpop, err := c.RPop(ctx, &pb.RPopRequest{UserId: user, Key: "l"})
	require.NoError(t, err)
	assert.Equal(t, "e", rpop.Value)

	tr, err := c.LTrim(ctx, &pb.LTrimRequest{UserId: user, Key: "l", Start: 1, Stop: -2})
	require.NoError(t, err)
	assert.True(t, tr.Success)
	assert.Equal(t, []string{"a", "b", "c"}, lrange(0, -1))
	n, err := c.LLen(ctx, &pb.LLenRequest{UserId: user, Key: "l"})
	require.NoError(t, err)
	assert.Equal(t, int32(3), n.Length)

	// Trimming everything deletes the key; popping it is not an error.
	_, err = c.LTrim(ctx, &pb.LTrimRequest{UserId: user, Key: "l", Start: 1, Stop: 0})
	require.NoError(t, err)
	ex, err := c.Exists(ctx, &pb.ExistsRequest{UserId: user, Key: "l"})
	require.NoError(t, err)
	assert.False(t, ex.Exists)
	lpop, err = c.LPop(ctx, &pb.LPopRequest{UserId: user, Key: "l"})
	require.NoError(t, err)
	assert.False(t, lpop.Found)

	_, err = c.RPush(ctx, &pb.RPushRequest{UserId: user, Key: "l"})
	requireCode(t, err, codes.InvalidArgument, "ERR wrong number of arguments for 'rpush' command")
}

func TestListLimits(t *testing.T) {
	h := newHarness(t, Options{Limits: Limits{MaxValueBytes: 4, MaxElements: 2}})
	ctx := testCtx(t)
	_, err := h.client.RPush(ctx, &pb.RPushRequest{UserId: user, Key: "l", Values: []string{"a", "b", "c"}})
	requireCode(t, err, codes.ResourceExhausted, "3 values in one request")
	_, err = h.client.LPush(ctx, &pb.LPushRequest{UserId: user, Key: "l", Values: []string{"12345"}})
	requireCode(t, err, codes.ResourceExhausted, "one of the values is 5 bytes")
}
