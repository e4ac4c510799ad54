package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// stats is the tenant's GetStatistics.
func (s *suite) stats(t *testing.T, tn tenant) *pb.GetStatisticsResponse {
	t.Helper()
	r, err := s.c.GetStatistics(ctx(t), &pb.GetStatisticsRequest{UserId: tn.User, OrganizationId: tn.Org})
	must(t, "GetStatistics", err)
	return r
}

// wantKeys asserts the tenant's key counts exactly: total_keys and every
// type of key_type_distribution (the types not in want are zero).
func (s *suite) wantKeys(t *testing.T, tn tenant, step string, want map[string]int64) {
	t.Helper()
	r := s.stats(t, tn)
	var total int64
	full := map[string]int64{"string": 0, "hash": 0, "list": 0, "set": 0, "zset": 0}
	for typ, n := range want {
		full[typ] = n
		total += n
	}
	assert.Equal(t, full, r.KeyTypeDistribution, "after %s", step)
	assert.Equal(t, total, r.TotalKeys, "after %s", step)
}

var infoCases = map[string]func(*testing.T, *suite){
	"StatisticsFollowWrites": func(t *testing.T, s *suite) {
		// Exact counts after every kind of change a key can go through.
		tn := newTenant(t)
		c := ctx(t)
		u, o := tn.User, tn.Org
		s.wantKeys(t, tn, "nothing", nil)

		s.set(t, tn, "s1", "v")
		s.set(t, tn, "s2", "v")
		_, err := s.c.Increment(c, &pb.IncrementRequest{UserId: u, OrganizationId: o, Key: "n", Delta: 1})
		must(t, "Increment", err)
		_, err = s.c.Append(c, &pb.AppendRequest{UserId: u, OrganizationId: o, Key: "a", Value: "x"})
		must(t, "Append", err)
		_, err = s.c.HSet(c, &pb.HSetRequest{UserId: u, OrganizationId: o, Key: "h", Fields: []*pb.HashField{{Field: "f", Value: "v"}}})
		must(t, "HSet", err)
		_, err = s.c.HIncrement(c, &pb.HIncrementRequest{UserId: u, OrganizationId: o, Key: "h2", Field: "f", Delta: 1})
		must(t, "HIncrement", err)
		_, err = s.c.RPush(c, &pb.RPushRequest{UserId: u, OrganizationId: o, Key: "l", Values: []string{"a", "b"}})
		must(t, "RPush", err)
		_, err = s.c.SAdd(c, &pb.SAddRequest{UserId: u, OrganizationId: o, Key: "st", Members: []string{"m"}})
		must(t, "SAdd", err)
		_, err = s.c.ZAdd(c, &pb.ZAddRequest{UserId: u, OrganizationId: o, Key: "z", Members: []*pb.ZSetMember{{Member: "m", Score: 1}}})
		must(t, "ZAdd", err)
		_, err = s.c.ZIncrement(c, &pb.ZIncrementRequest{UserId: u, OrganizationId: o, Key: "z2", Member: "m", Delta: 1})
		must(t, "ZIncrement", err)
		s.wantKeys(t, tn, "creating", map[string]int64{"string": 4, "hash": 2, "list": 1, "set": 1, "zset": 2})

		d, err := s.c.DeleteMultiple(c, &pb.DeleteMultipleRequest{UserId: u, OrganizationId: o, Keys: []string{"s1", "h2", "missing"}})
		must(t, "DeleteMultiple", err)
		require.True(t, d.Success)
		s.wantKeys(t, tn, "deleting", map[string]int64{"string": 3, "hash": 1, "list": 1, "set": 1, "zset": 2})

		for range 2 {
			_, err = s.c.LPop(c, &pb.LPopRequest{UserId: u, OrganizationId: o, Key: "l"})
			must(t, "LPop", err)
		}
		_, err = s.c.SRemove(c, &pb.SRemoveRequest{UserId: u, OrganizationId: o, Key: "st", Members: []string{"m"}})
		must(t, "SRemove", err)
		_, err = s.c.HDelete(c, &pb.HDeleteRequest{UserId: u, OrganizationId: o, Key: "h", Fields: []string{"f"}})
		must(t, "HDelete", err)
		_, err = s.c.ZRemove(c, &pb.ZRemoveRequest{UserId: u, OrganizationId: o, Key: "z2", Members: []string{"m"}})
		must(t, "ZRemove", err)
		s.wantKeys(t, tn, "emptying collections", map[string]int64{"string": 3, "zset": 1})

		// Rename over a key of another type: the string s2 becomes the
		// zset, z is gone.
		_, err = s.c.Rename(c, &pb.RenameRequest{UserId: u, OrganizationId: o, OldKey: "z", NewKey: "s2"})
		must(t, "Rename", err)
		s.wantKeys(t, tn, "renaming over another type", map[string]int64{"string": 2, "zset": 1})

		b, err := s.c.ExecuteBatch(c, &pb.RedisBatchRequest{UserId: u, OrganizationId: o, Commands: []*pb.BatchCommand{
			{Operation: "SET", Key: "b1", Value: "v"}, {Operation: "HSET", Key: "bh", Value: "v"},
			{Operation: "DEL", Key: "n"}, {Operation: "INCR", Key: "bn"}, {Operation: "GET", Key: "absent"},
		}})
		must(t, "ExecuteBatch", err)
		require.True(t, b.Success, "%v", b.Errors)
		s.wantKeys(t, tn, "a batch", map[string]int64{"string": 3, "hash": 1, "zset": 1})

		// Expire with a TTL keeps the key; a past deadline deletes it.
		_, err = s.c.Expire(c, &pb.ExpireRequest{UserId: u, OrganizationId: o, Key: "b1", Expiration: durationpb.New(time.Hour)})
		must(t, "Expire", err)
		s.wantKeys(t, tn, "giving a TTL", map[string]int64{"string": 3, "hash": 1, "zset": 1})
		_, err = s.c.Expire(c, &pb.ExpireRequest{UserId: u, OrganizationId: o, Key: "bh", Expiration: durationpb.New(-time.Second)})
		must(t, "Expire", err)
		s.wantKeys(t, tn, "expiring into the past", map[string]int64{"string": 3, "zset": 1})

		// Keys that expire leave the counts by themselves: nothing reads
		// them here, so only the statistics' own bookkeeping can notice.
		_, err = s.c.SetWithExpiration(c, &pb.SetWithExpirationRequest{UserId: u, OrganizationId: o, Key: "short", Value: "v", Expiration: durationpb.New(300 * time.Millisecond)})
		must(t, "SetWithExpiration", err)
		_, err = s.c.SAdd(c, &pb.SAddRequest{UserId: u, OrganizationId: o, Key: "shortset", Members: []string{"m"}})
		must(t, "SAdd", err)
		_, err = s.c.Expire(c, &pb.ExpireRequest{UserId: u, OrganizationId: o, Key: "shortset", Expiration: durationpb.New(300 * time.Millisecond)})
		must(t, "Expire", err)
		r := s.stats(t, tn)
		assert.LessOrEqual(t, r.TotalKeys, int64(6), "at most the 4 keys and the 2 short-lived ones")
		require.Eventually(t, func() bool { return s.stats(t, tn).TotalKeys == 4 }, 5*time.Second, 20*time.Millisecond,
			"the short-lived keys expire from the counts")
		s.wantKeys(t, tn, "expiry", map[string]int64{"string": 3, "zset": 1})
	},
	"Statistics": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		c := ctx(t)
		s.set(t, tn, "s1", "v")
		s.set(t, tn, "s2", "v")
		_, err := s.c.HSet(c, &pb.HSetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h", Fields: []*pb.HashField{{Field: "f", Value: "v"}}})
		must(t, "HSet", err)
		s.get(t, tn, "s1")      // a hit
		s.get(t, tn, "missing") // a miss
		r, err := s.c.GetStatistics(c, &pb.GetStatisticsRequest{UserId: tn.User, OrganizationId: tn.Org})
		must(t, "GetStatistics", err)
		assert.Equal(t, int64(3), r.TotalKeys, "this tenant's keys only")
		assert.Positive(t, r.MemoryUsedBytes)
		assert.GreaterOrEqual(t, r.CommandsProcessed, int64(5))
		assert.Positive(t, r.ConnectionsReceived)
		assert.Greater(t, r.HitRate, 0.0)
		assert.Less(t, r.HitRate, 1.0)
		for _, typ := range []string{"string", "hash", "list", "set", "zset"} {
			assert.Contains(t, r.KeyTypeDistribution, typ)
		}
		assert.Equal(t, int64(2), r.KeyTypeDistribution["string"])
		assert.Equal(t, int64(1), r.KeyTypeDistribution["hash"])
	},
	"KeyInfo": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		c := ctx(t)
		_, err := s.c.SetWithExpiration(c, &pb.SetWithExpirationRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "k", Value: "value", Expiration: durationpb.New(time.Hour)})
		must(t, "SetWithExpiration", err)
		r, err := s.c.GetKeyInfo(c, &pb.GetKeyInfoRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "k"})
		must(t, "GetKeyInfo", err)
		assert.True(t, r.Exists)
		assert.Equal(t, pb.ValueType_VALUE_TYPE_STRING, r.Type)
		assert.True(t, r.TtlSeconds > 3500 && r.TtlSeconds <= 3600, "ttl %d", r.TtlSeconds)
		assert.GreaterOrEqual(t, r.SizeBytes, int64(len("k")+len("value")))
		require.NotNil(t, r.CreatedAt)
		assert.WithinDuration(t, time.Now(), r.CreatedAt.AsTime(), time.Minute)
		assert.NotNil(t, r.LastAccessed)

		_, err = s.c.ZAdd(c, &pb.ZAddRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z", Members: []*pb.ZSetMember{{Member: "m", Score: 1}}})
		must(t, "ZAdd", err)
		r, err = s.c.GetKeyInfo(c, &pb.GetKeyInfoRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "z"})
		must(t, "GetKeyInfo", err)
		assert.Equal(t, pb.ValueType_VALUE_TYPE_ZSET, r.Type)
		assert.Equal(t, int64(-1), r.TtlSeconds)

		r, err = s.c.GetKeyInfo(c, &pb.GetKeyInfoRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "missing"})
		must(t, "GetKeyInfo", err)
		assert.False(t, r.Exists)
		assert.Equal(t, int64(-2), r.TtlSeconds)
	},
}
