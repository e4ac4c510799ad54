package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

var infoCases = map[string]func(*testing.T, *suite){
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
