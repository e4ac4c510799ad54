package conformance

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func (s *suite) exists(t *testing.T, tn tenant, key string) bool {
	t.Helper()
	r, err := s.c.Exists(ctx(t), &pb.ExistsRequest{UserId: tn.User, OrganizationId: tn.Org, Key: key})
	must(t, "Exists", err)
	return r.Exists
}

var keyCases = map[string]func(*testing.T, *suite){
	"Rename": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		_, err := s.c.SetWithExpiration(ctx(t), &pb.SetWithExpirationRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "old", Value: "v", Expiration: durationpb.New(time.Hour)})
		must(t, "SetWithExpiration", err)
		s.set(t, tn, "new", "replaced")
		r, err := s.c.Rename(ctx(t), &pb.RenameRequest{UserId: tn.User, OrganizationId: tn.Org, OldKey: "old", NewKey: "new"})
		must(t, "Rename", err)
		assert.True(t, r.Success)
		assert.True(t, s.exists(t, tn, "new"))
		assert.False(t, s.exists(t, tn, "old"))
		v, _ := s.get(t, tn, "new")
		assert.Equal(t, "v", v, "RENAME overwrites the target")
		ttl := s.ttl(t, tn, "new")
		assert.True(t, ttl > 3500 && ttl <= 3600, "RENAME keeps the TTL: %d", ttl)
	},
	"RenameMissingIsNotFound": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		_, err := s.c.Rename(ctx(t), &pb.RenameRequest{UserId: tn.User, OrganizationId: tn.Org, OldKey: "missing", NewKey: "x"})
		wantCode(t, "Rename", err, codes.NotFound, "ERR no such key")
	},
	"DeleteCounts": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		s.set(t, tn, "a", "1")
		s.set(t, tn, "b", "2")
		s.set(t, tn, "c", "3")
		r, err := s.c.Delete(ctx(t), &pb.DeleteRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "a"})
		must(t, "Delete", err)
		assert.True(t, r.Success)
		assert.Equal(t, int32(1), r.DeletedCount)
		r, err = s.c.Delete(ctx(t), &pb.DeleteRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "a"})
		must(t, "Delete", err)
		assert.Equal(t, int32(0), r.DeletedCount, "the real count")
		r, err = s.c.DeleteMultiple(ctx(t), &pb.DeleteMultipleRequest{UserId: tn.User, OrganizationId: tn.Org, Keys: []string{"b", "c"}})
		must(t, "DeleteMultiple", err)
		assert.Equal(t, int32(2), r.DeletedCount)
		assert.False(t, s.exists(t, tn, "b"))
	},
	"ExpireAndTTL": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		assert.Equal(t, int64(-2), s.ttl(t, tn, "k"), "missing key")
		s.set(t, tn, "k", "v")
		assert.Equal(t, int64(-1), s.ttl(t, tn, "k"), "no TTL")
		r, err := s.c.Expire(ctx(t), &pb.ExpireRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "k", Expiration: durationpb.New(100 * time.Second)})
		must(t, "Expire", err)
		assert.True(t, r.Success)
		ttl := s.ttl(t, tn, "k")
		assert.True(t, ttl > 95 && ttl <= 100, "ttl %d", ttl)
		r, err = s.c.Expire(ctx(t), &pb.ExpireRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "missing", Expiration: durationpb.New(time.Second)})
		must(t, "Expire", err)
		assert.False(t, r.Success, "success only if the key existed")
		r, err = s.c.Expire(ctx(t), &pb.ExpireRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "k", Expiration: durationpb.New(0)})
		must(t, "Expire", err)
		assert.True(t, r.Success)
		assert.False(t, s.exists(t, tn, "k"), "a duration <= 0 deletes")
	},
	"ListKeys": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		for i := range 5 {
			s.set(t, tn, fmt.Sprintf("test:key%d", 4-i), "v")
		}
		s.set(t, tn, "other", "v")
		r, err := s.c.ListKeys(ctx(t), &pb.ListKeysRequest{UserId: tn.User, OrganizationId: tn.Org, Pattern: "test:key*", Limit: 3})
		must(t, "ListKeys", err)
		assert.Equal(t, []string{"test:key0", "test:key1", "test:key2"}, r.Keys, "sorted, unprefixed, at most limit")
		assert.Equal(t, int32(5), r.TotalCount, "matches before truncation")

		all, err := s.c.ListKeys(ctx(t), &pb.ListKeysRequest{UserId: tn.User, OrganizationId: tn.Org})
		must(t, "ListKeys", err)
		assert.Len(t, all.Keys, 6, "empty pattern is *, limit 0 a server default")
		for pattern, want := range map[string][]string{
			"test:key[13]": {"test:key1", "test:key3"},
			"o?her":        {"other"},
			"test:key\\*":  nil,
			"*4":           {"test:key4"},
		} {
			r, err := s.c.ListKeys(ctx(t), &pb.ListKeysRequest{UserId: tn.User, OrganizationId: tn.Org, Pattern: pattern})
			must(t, "ListKeys", err)
			assert.Equal(t, want, r.Keys, "pattern %q", pattern)
		}

		// Listed keys round-trip through DeleteMultiple.
		d, err := s.c.DeleteMultiple(ctx(t), &pb.DeleteMultipleRequest{UserId: tn.User, OrganizationId: tn.Org, Keys: r.Keys})
		must(t, "DeleteMultiple", err)
		assert.Equal(t, int32(len(r.Keys)), d.DeletedCount)
	},
}
