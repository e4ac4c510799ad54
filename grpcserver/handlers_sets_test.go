package grpcserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestSets(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	add := func(key string, members ...string) int32 {
		r, err := c.SAdd(ctx, &pb.SAddRequest{UserId: user, Key: key, Members: members})
		require.NoError(t, err)
		return r.AddedCount
	}
	assert.Equal(t, int32(3), add("s1", "c", "a", "b"))
	assert.Equal(t, int32(3), add("s2", "b", "c", "d"))
	assert.Equal(t, int32(1), add("s1", "a", "e", "e"), "new members only, once each")

	m, err := c.SMembers(ctx, &pb.SMembersRequest{UserId: user, Key: "s1"})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c", "e"}, m.Members, "sorted")
	u, err := c.SUnion(ctx, &pb.SUnionRequest{UserId: user, Keys: []string{"s1", "s2", "missing"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c", "d", "e"}, u.Members)
	i, err := c.SInter(ctx, &pb.SInterRequest{UserId: user, Keys: []string{"s1", "s2"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "c"}, i.Members)
	i, err = c.SInter(ctx, &pb.SInterRequest{UserId: user, Keys: []string{"s1", "missing"}})
	require.NoError(t, err)
	assert.Empty(t, i.Members, "a missing key is an empty set")
	d, err := c.SDiff(ctx, &pb.SDiffRequest{UserId: user, Keys: []string{"s1", "s2"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "e"}, d.Members)

	is, err := c.SIsMember(ctx, &pb.SIsMemberRequest{UserId: user, Key: "s1", Member: "a"})
	require.NoError(t, err)
	assert.True(t, is.IsMember)
	rm, err := c.SRemove(ctx, &pb.SRemoveRequest{UserId: user, Key: "s1", Members: []string{"a", "zz"}})
	require.NoError(t, err)
	assert.Equal(t, int32(1), rm.RemovedCount)
	card, err := c.SCard(ctx, &pb.SCardRequest{UserId: user, Key: "s1"})
	require.NoError(t, err)
	assert.Equal(t, int32(3), card.Count)

	_, err = c.SAdd(ctx, &pb.SAddRequest{UserId: user, Key: "s1"})
	requireCode(t, err, codes.InvalidArgument, "ERR wrong number of arguments for 'sadd' command")
	_, err = c.SUnion(ctx, &pb.SUnionRequest{UserId: user})
	requireCode(t, err, codes.InvalidArgument, "ERR wrong number of arguments")
	_, err = c.Set(ctx, &pb.SetRequest{UserId: user, Key: "str", Value: "v"})
	require.NoError(t, err)
	_, err = c.SInter(ctx, &pb.SInterRequest{UserId: user, Keys: []string{"s1", "str"}})
	requireCode(t, err, codes.FailedPrecondition, "WRONGTYPE")
}
