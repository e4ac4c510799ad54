package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

var hashCases = map[string]func(*testing.T, *suite){
	"HashCommands": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		c := ctx(t)
		r, err := s.c.HSet(c, &pb.HSetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h", Fields: []*pb.HashField{{Field: "a", Value: "1"}, {Field: "b", Value: "2"}}})
		must(t, "HSet", err)
		assert.True(t, r.Success)
		assert.Equal(t, int32(2), r.FieldsSet)
		r, err = s.c.HSet(c, &pb.HSetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h", Fields: []*pb.HashField{{Field: "a", Value: "updated"}, {Field: "counter", Value: "10"}}})
		must(t, "HSet", err)
		assert.Equal(t, int32(1), r.FieldsSet, "only new fields count")

		g, err := s.c.HGet(c, &pb.HGetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h", Field: "a"})
		must(t, "HGet", err)
		assert.True(t, g.Found)
		assert.Equal(t, "updated", g.Value)
		g, err = s.c.HGet(c, &pb.HGetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h", Field: "missing"})
		must(t, "HGet", err)
		assert.False(t, g.Found)

		all, err := s.c.HGetAll(c, &pb.HGetAllRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h"})
		must(t, "HGetAll", err)
		got := map[string]string{}
		for _, f := range all.Fields {
			got[f.Field] = f.Value
		}
		assert.Equal(t, map[string]string{"a": "updated", "b": "2", "counter": "10"}, got)

		ks, err := s.c.HKeys(c, &pb.HKeysRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h"})
		must(t, "HKeys", err)
		assert.ElementsMatch(t, []string{"a", "b", "counter"}, ks.Fields)
		vs, err := s.c.HValues(c, &pb.HValuesRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h"})
		must(t, "HValues", err)
		assert.ElementsMatch(t, []string{"updated", "2", "10"}, vs.Values)

		ex, err := s.c.HExists(c, &pb.HExistsRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h", Field: "b"})
		must(t, "HExists", err)
		assert.True(t, ex.Exists)

		inc, err := s.c.HIncrement(c, &pb.HIncrementRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h", Field: "counter", Delta: 5})
		must(t, "HIncrement", err)
		assert.Equal(t, int64(15), inc.Value)

		d, err := s.c.HDelete(c, &pb.HDeleteRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h", Fields: []string{"a", "b", "missing"}})
		must(t, "HDelete", err)
		assert.True(t, d.Success)
		assert.Equal(t, int32(2), d.DeletedCount)

		empty, err := s.c.HGetAll(c, &pb.HGetAllRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "missing"})
		must(t, "HGetAll", err)
		assert.Empty(t, empty.Fields)
	},
}

var listCases = map[string]func(*testing.T, *suite){
	"ListCommands": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		c := ctx(t)
		p, err := s.c.RPush(c, &pb.RPushRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "l", Values: []string{"a", "b", "c", "d", "e"}})
		must(t, "RPush", err)
		assert.Equal(t, int32(5), p.Length)
		lp, err := s.c.LPush(c, &pb.LPushRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "l2", Values: []string{"x", "y"}})
		must(t, "LPush", err)
		assert.Equal(t, int32(2), lp.Length)
		r2, err := s.c.LRange(c, &pb.LRangeRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "l2", Start: 0, Stop: -1})
		must(t, "LRange", err)
		assert.Equal(t, []string{"y", "x"}, r2.Values, "LPUSH pushes one at a time to the head")

		ix, err := s.c.LIndex(c, &pb.LIndexRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "l", Index: 2})
		must(t, "LIndex", err)
		assert.True(t, ix.Found)
		assert.Equal(t, "c", ix.Value)
		ix, err = s.c.LIndex(c, &pb.LIndexRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "l", Index: 99})
		must(t, "LIndex", err)
		assert.False(t, ix.Found)

		rg, err := s.c.LRange(c, &pb.LRangeRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "l", Start: -3, Stop: -2})
		must(t, "LRange", err)
		assert.Equal(t, []string{"c", "d"}, rg.Values, "negative indices as Redis")

		pop, err := s.c.LPop(c, &pb.LPopRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "l"})
		must(t, "LPop", err)
		assert.Equal(t, &pb.LPopResponse{Found: true, Value: "a"}, &pb.LPopResponse{Found: pop.Found, Value: pop.Value})
		rpop, err := s.c.RPop(c, &pb.RPopRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "l"})
		must(t, "RPop", err)
		assert.Equal(t, "e", rpop.Value)

		tr, err := s.c.LTrim(c, &pb.LTrimRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "l", Start: 0, Stop: 1})
		must(t, "LTrim", err)
		assert.True(t, tr.Success)
		n, err := s.c.LLen(c, &pb.LLenRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "l"})
		must(t, "LLen", err)
		assert.Equal(t, int32(2), n.Length)

		missing, err := s.c.LPop(c, &pb.LPopRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "missing"})
		must(t, "LPop", err)
		assert.False(t, missing.Found)
	},
}

var setCases = map[string]func(*testing.T, *suite){
	"SetCommands": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		c := ctx(t)
		add := func(key string, members ...string) int32 {
			r, err := s.c.SAdd(c, &pb.SAddRequest{UserId: tn.User, OrganizationId: tn.Org, Key: key, Members: members})
			must(t, "SAdd", err)
			return r.AddedCount
		}
		assert.Equal(t, int32(3), add("s1", "a", "b", "c"))
		assert.Equal(t, int32(3), add("s2", "b", "c", "d"))
		assert.Equal(t, int32(0), add("s1", "a"), "not new")

		u, err := s.c.SUnion(c, &pb.SUnionRequest{UserId: tn.User, OrganizationId: tn.Org, Keys: []string{"s1", "s2", "missing"}})
		must(t, "SUnion", err)
		assert.ElementsMatch(t, []string{"a", "b", "c", "d"}, u.Members)
		i, err := s.c.SInter(c, &pb.SInterRequest{UserId: tn.User, OrganizationId: tn.Org, Keys: []string{"s1", "s2"}})
		must(t, "SInter", err)
		assert.ElementsMatch(t, []string{"b", "c"}, i.Members)
		d, err := s.c.SDiff(c, &pb.SDiffRequest{UserId: tn.User, OrganizationId: tn.Org, Keys: []string{"s1", "s2"}})
		must(t, "SDiff", err)
		assert.Equal(t, []string{"a"}, d.Members)

		is, err := s.c.SIsMember(c, &pb.SIsMemberRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "s1", Member: "a"})
		must(t, "SIsMember", err)
		assert.True(t, is.IsMember)
		rm, err := s.c.SRemove(c, &pb.SRemoveRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "s1", Members: []string{"a", "missing"}})
		must(t, "SRemove", err)
		assert.Equal(t, int32(1), rm.RemovedCount)
		card, err := s.c.SCard(c, &pb.SCardRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "s1"})
		must(t, "SCard", err)
		assert.Equal(t, int32(2), card.Count)
		m, err := s.c.SMembers(c, &pb.SMembersRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "s1"})
		must(t, "SMembers", err)
		assert.ElementsMatch(t, []string{"b", "c"}, m.Members)
	},
}

var zsetCases = map[string]func(*testing.T, *suite){
	"SortedSetCommands": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		c := ctx(t)
		add, err := s.c.ZAdd(c, &pb.ZAddRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z", Members: []*pb.ZSetMember{
			{Member: "player1", Score: 100}, {Member: "player2", Score: 200}, {Member: "player3", Score: 150},
		}})
		must(t, "ZAdd", err)
		assert.Equal(t, int32(3), add.AddedCount)

		card, err := s.c.ZCard(c, &pb.ZCardRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z"})
		must(t, "ZCard", err)
		assert.Equal(t, int32(3), card.Count)
		sc, err := s.c.ZScore(c, &pb.ZScoreRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z", Member: "player2"})
		must(t, "ZScore", err)
		assert.True(t, sc.Found)
		assert.Equal(t, 200.0, sc.Score)
		rk, err := s.c.ZRank(c, &pb.ZRankRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z", Member: "player2"})
		must(t, "ZRank", err)
		assert.True(t, rk.Found)
		assert.Equal(t, int32(2), rk.Rank)
		rk, err = s.c.ZRank(c, &pb.ZRankRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z", Member: "nobody"})
		must(t, "ZRank", err)
		assert.False(t, rk.Found)

		by, err := s.c.ZRangeByScore(c, &pb.ZRangeByScoreRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z", MinScore: 100, MaxScore: 180})
		must(t, "ZRangeByScore", err)
		require.Len(t, by.Members, 2)
		assert.Equal(t, "player1", by.Members[0].Member)
		assert.Equal(t, 100.0, by.Members[0].Score, "real scores")
		assert.Equal(t, "player3", by.Members[1].Member)
		assert.Equal(t, 150.0, by.Members[1].Score)
		lim, err := s.c.ZRangeByScore(c, &pb.ZRangeByScoreRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z", MinScore: 0, MaxScore: 1000, Offset: 1, Count: 1})
		must(t, "ZRangeByScore", err)
		require.Len(t, lim.Members, 1)
		assert.Equal(t, "player3", lim.Members[0].Member, "offset/count as LIMIT")

		zr, err := s.c.ZRange(c, &pb.ZRangeRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z", Start: 0, Stop: -1, WithScores: true})
		must(t, "ZRange", err)
		require.Len(t, zr.Members, 3)
		assert.Equal(t, []string{"player1", "player3", "player2"}, []string{zr.Members[0].Member, zr.Members[1].Member, zr.Members[2].Member})
		assert.Equal(t, 200.0, zr.Members[2].Score)

		inc, err := s.c.ZIncrement(c, &pb.ZIncrementRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z", Member: "player1", Delta: 50})
		must(t, "ZIncrement", err)
		assert.Equal(t, 150.0, inc.Score)
		rm, err := s.c.ZRemove(c, &pb.ZRemoveRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z", Members: []string{"player3", "nobody"}})
		must(t, "ZRemove", err)
		assert.Equal(t, int32(1), rm.RemovedCount)
		add, err = s.c.ZAdd(c, &pb.ZAddRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z2", Members: []*pb.ZSetMember{
			{Member: "a", Score: 1}, {Member: "b", Score: 2}, {Member: "c", Score: 3},
		}})
		must(t, "ZAdd", err)
		assert.Equal(t, int32(3), add.AddedCount)
		add, err = s.c.ZAdd(c, &pb.ZAddRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z2", Members: []*pb.ZSetMember{{Member: "a", Score: 10}}})
		must(t, "ZAdd", err)
		assert.Equal(t, int32(0), add.AddedCount, "an update is not new")
		sc, err = s.c.ZScore(c, &pb.ZScoreRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z2", Member: "a"})
		must(t, "ZScore", err)
		assert.Equal(t, 10.0, sc.Score, "the score was updated")
	},
}
