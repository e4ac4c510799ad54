package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func (s *suite) set(t *testing.T, tn tenant, key, value string) {
	t.Helper()
	r, err := s.c.Set(ctx(t), &pb.SetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: key, Value: value})
	must(t, "Set", err)
	require.True(t, r.Success)
}

func (s *suite) get(t *testing.T, tn tenant, key string) (string, bool) {
	t.Helper()
	r, err := s.c.Get(ctx(t), &pb.GetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: key})
	must(t, "Get", err)
	return r.Value, r.Found
}

func (s *suite) ttl(t *testing.T, tn tenant, key string) int64 {
	t.Helper()
	r, err := s.c.GetTTL(ctx(t), &pb.GetTTLRequest{UserId: tn.User, OrganizationId: tn.Org, Key: key})
	must(t, "GetTTL", err)
	return r.TtlSeconds
}

var stringCases = map[string]func(*testing.T, *suite){
	"SetAnswersSuccessWithMessage": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		r, err := s.c.Set(ctx(t), &pb.SetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "k", Value: "v"})
		must(t, "Set", err)
		assert.True(t, r.Success)
		assert.NotEmpty(t, r.Message)
		v, found := s.get(t, tn, "k")
		assert.True(t, found)
		assert.Equal(t, "v", v)
	},
	"EmptyKeyAndEmptyOrgAccepted": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		tn.Org = ""
		s.set(t, tn, "", "empty key")
		v, found := s.get(t, tn, "")
		assert.True(t, found)
		assert.Equal(t, "empty key", v)
	},
	"GetMissingIsNotAnError": func(t *testing.T, s *suite) {
		v, found := s.get(t, newTenant(t), "missing")
		assert.False(t, found)
		assert.Empty(t, v)
	},
	"EmptyValueIsFound": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		s.set(t, tn, "e", "")
		_, found := s.get(t, tn, "e")
		assert.True(t, found)
	},
	"SetWithExpiration": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		r, err := s.c.SetWithExpiration(ctx(t), &pb.SetWithExpirationRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "k", Value: "v", Expiration: durationpb.New(2 * time.Second)})
		must(t, "SetWithExpiration", err)
		assert.True(t, r.Success)
		assert.NotEmpty(t, r.Message)
		ttl := s.ttl(t, tn, "k")
		assert.True(t, ttl > 0 && ttl <= 2, "ttl right after a 2s expiration: %d", ttl)

		// The key goes away on its own (a short TTL keeps the case fast).
		_, err = s.c.SetWithExpiration(ctx(t), &pb.SetWithExpirationRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "short", Value: "v", Expiration: durationpb.New(300 * time.Millisecond)})
		must(t, "SetWithExpiration", err)
		require.Eventually(t, func() bool { _, found := s.get(t, tn, "short"); return !found }, 5*time.Second, 20*time.Millisecond)
		assert.Equal(t, int64(-2), s.ttl(t, tn, "short"))
	},
	"SetWithExpirationWithoutExpirationIsPlainSet": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		for _, d := range []*durationpb.Duration{nil, durationpb.New(0)} {
			r, err := s.c.SetWithExpiration(ctx(t), &pb.SetWithExpirationRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "k", Value: "v", Expiration: d})
			must(t, "SetWithExpiration", err)
			assert.True(t, r.Success)
			assert.Equal(t, int64(-1), s.ttl(t, tn, "k"))
		}
	},
	"SetWithNegativeExpirationRefused": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		_, err := s.c.SetWithExpiration(ctx(t), &pb.SetWithExpirationRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "k", Value: "v", Expiration: durationpb.New(-time.Second)})
		wantCode(t, "SetWithExpiration", err, codes.InvalidArgument, "")
		_, found := s.get(t, tn, "k")
		assert.False(t, found, "a refused request changes nothing")
	},
	"IncrementDecrement": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		inc := func(d int64) int64 {
			r, err := s.c.Increment(ctx(t), &pb.IncrementRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "n", Delta: d})
			must(t, "Increment", err)
			return r.Value
		}
		dec := func(d int64) int64 {
			r, err := s.c.Decrement(ctx(t), &pb.DecrementRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "n", Delta: d})
			must(t, "Decrement", err)
			return r.Value
		}
		assert.Equal(t, int64(1), inc(1))
		assert.Equal(t, int64(6), inc(5))
		assert.Equal(t, int64(4), dec(2))
		assert.Equal(t, int64(5), inc(0), "a delta of 0 means 1")
		assert.Equal(t, int64(4), dec(0), "a delta of 0 means 1")
	},
	"IncrementNonInteger": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		s.set(t, tn, "s", "abc")
		_, err := s.c.Increment(ctx(t), &pb.IncrementRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "s", Delta: 1})
		wantCode(t, "Increment", err, codes.InvalidArgument, "ERR value is not an integer or out of range")
		v, _ := s.get(t, tn, "s")
		assert.Equal(t, "abc", v)
	},
	"IncrementOverflow": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		s.set(t, tn, "big", "9223372036854775807")
		_, err := s.c.Increment(ctx(t), &pb.IncrementRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "big", Delta: 1})
		wantCode(t, "Increment", err, codes.OutOfRange, "ERR increment or decrement would overflow")
	},
	"Append": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		s.set(t, tn, "g", "Hello")
		r, err := s.c.Append(ctx(t), &pb.AppendRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "g", Value: " World"})
		must(t, "Append", err)
		assert.Equal(t, int64(11), r.Length)
		v, _ := s.get(t, tn, "g")
		assert.Equal(t, "Hello World", v)
	},
	"GetMultiple": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		s.set(t, tn, "a", "1")
		s.set(t, tn, "b", "")
		r, err := s.c.GetMultiple(ctx(t), &pb.GetMultipleRequest{UserId: tn.User, OrganizationId: tn.Org, Keys: []string{"b", "missing", "a"}})
		must(t, "GetMultiple", err)
		require.Len(t, r.Values, 2, "one KeyValue per found key")
		assert.Equal(t, "b", r.Values[0].Key)
		assert.Equal(t, "", r.Values[0].Value)
		assert.Equal(t, "a", r.Values[1].Key)
		assert.Equal(t, "1", r.Values[1].Value)
	},
	"WrongType": func(t *testing.T, s *suite) {
		tn := newTenant(t)
		_, err := s.c.HSet(ctx(t), &pb.HSetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h", Fields: []*pb.HashField{{Field: "f", Value: "v"}}})
		must(t, "HSet", err)
		_, err = s.c.Get(ctx(t), &pb.GetRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h"})
		wantCode(t, "Get", err, codes.FailedPrecondition, "WRONGTYPE Operation against a key holding the wrong kind of value")
		_, err = s.c.Append(ctx(t), &pb.AppendRequest{UserId: tn.User, OrganizationId: tn.Org, Key: "h", Value: "x"})
		wantCode(t, "Append", err, codes.FailedPrecondition, "WRONGTYPE")
	},
}
