package grpcserver

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// pairs flattens members for comparison.
func pairs(ms []*pb.ZSetMember) [][2]any {
	out := make([][2]any, len(ms))
	for i, m := range ms {
		out[i] = [2]any{m.Member, m.Score}
	}
	return out
}

func TestSortedSets(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	add, err := c.ZAdd(ctx, &pb.ZAddRequest{UserId: user, Key: "z", Members: []*pb.ZSetMember{
		{Member: "player1", Score: 100}, {Member: "player2", Score: 200}, {Member: "player3", Score: 150},
	}})
	require.NoError(t, err)
	assert.Equal(t, int32(3), add.AddedCount)
	add, err = c.ZAdd(ctx, &pb.ZAddRequest{UserId: user, Key: "z", Members: []*pb.ZSetMember{{Member: "player4", Score: 150}, {Member: "player2", Score: 250}}})
	require.NoError(t, err)
	assert.Equal(t, int32(1), add.AddedCount, "new members only; player2's score is updated")

	zr, err := c.ZRange(ctx, &pb.ZRangeRequest{UserId: user, Key: "z", Start: 0, Stop: -1})
	require.NoError(t, err)
	assert.Equal(t, [][2]any{{"player1", 100.0}, {"player3", 150.0}, {"player4", 150.0}, {"player2", 250.0}}, pairs(zr.Members), "ties by member")
	zr, err = c.ZRange(ctx, &pb.ZRangeRequest{UserId: user, Key: "z", Start: -2, Stop: -1, WithScores: true})
	require.NoError(t, err)
	assert.Equal(t, [][2]any{{"player4", 150.0}, {"player2", 250.0}}, pairs(zr.Members))

	by, err := c.ZRangeByScore(ctx, &pb.ZRangeByScoreRequest{UserId: user, Key: "z", MinScore: 100, MaxScore: 150})
	require.NoError(t, err)
	assert.Equal(t, [][2]any{{"player1", 100.0}, {"player3", 150.0}, {"player4", 150.0}}, pairs(by.Members), "inclusive bounds, real scores")
	for _, tc := range []struct {
		offset, count int32
		want          [][2]any
	}{
		{1, 1, [][2]any{{"player3", 150.0}}},
		{1, 0, [][2]any{{"player3", 150.0}, {"player4", 150.0}}},
		{2, -5, [][2]any{{"player4", 150.0}}},
		{5, 1, [][2]any{}},
	} {
		r, err := c.ZRangeByScore(ctx, &pb.ZRangeByScoreRequest{UserId: user, Key: "z", MinScore: 100, MaxScore: 150, Offset: tc.offset, Count: tc.count})
		require.NoError(t, err)
		assert.Equal(t, tc.want, pairs(r.Members), "offset %d count %d", tc.offset, tc.count)
	}
	inf, err := c.ZRangeByScore(ctx, &pb.ZRangeByScoreRequest{UserId: user, Key: "z", MinScore: math.Inf(-1), MaxScore: math.Inf(1)})
	require.NoError(t, err)
	assert.Len(t, inf.Members, 4)

	rk, err := c.ZRank(ctx, &pb.ZRankRequest{UserId: user, Key: "z", Member: "player2"})
	require.NoError(t, err)
	assert.Equal(t, &pb.ZRankResponse{Found: true, Rank: 3}, &pb.ZRankResponse{Found: rk.Found, Rank: rk.Rank})
	rk, err = c.ZRank(ctx, &pb.ZRankRequest{UserId: user, Key: "z", Member: "nobody"})
	require.NoError(t, err)
	assert.False(t, rk.Found)
	sc, err := c.ZScore(ctx, &pb.ZScoreRequest{UserId: user, Key: "z", Member: "player2"})
	require.NoError(t, err)
	assert.Equal(t, 250.0, sc.Score)
	sc, err = c.ZScore(ctx, &pb.ZScoreRequest{UserId: user, Key: "z", Member: "nobody"})
	require.NoError(t, err)
	assert.False(t, sc.Found)
	inc, err := c.ZIncrement(ctx, &pb.ZIncrementRequest{UserId: user, Key: "z", Member: "player1", Delta: 50})
	require.NoError(t, err)
	assert.Equal(t, 150.0, inc.Score)
	rm, err := c.ZRemove(ctx, &pb.ZRemoveRequest{UserId: user, Key: "z", Members: []string{"player3", "nobody"}})
	require.NoError(t, err)
	assert.Equal(t, int32(1), rm.RemovedCount)
	card, err := c.ZCard(ctx, &pb.ZCardRequest{UserId: user, Key: "z"})
	require.NoError(t, err)
	assert.Equal(t, int32(3), card.Count)

	_, err = c.ZAdd(ctx, &pb.ZAddRequest{UserId: user, Key: "z", Members: []*pb.ZSetMember{{Member: "nan", Score: math.NaN()}}})
	requireCode(t, err, codes.InvalidArgument, "ERR value is not a valid float")
	_, err = c.ZAdd(ctx, &pb.ZAddRequest{UserId: user, Key: "inf", Members: []*pb.ZSetMember{{Member: "m", Score: math.Inf(1)}}})
	require.NoError(t, err)
	_, err = c.ZIncrement(ctx, &pb.ZIncrementRequest{UserId: user, Key: "inf", Member: "m", Delta: math.Inf(-1)})
	requireCode(t, err, codes.OutOfRange, "ERR resulting score is not a number (NaN)")
}
