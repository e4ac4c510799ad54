package grpcserver

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

func TestDeleteExists(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	exists := func(k string) bool {
		r, err := c.Exists(ctx, &pb.ExistsRequest{UserId: user, Key: k})
		require.NoError(t, err)
		return r.Exists
	}
	for _, k := range []string{"a", "b", "c"} {
		_, err := c.Set(ctx, &pb.SetRequest{UserId: user, Key: k, Value: "v"})
		require.NoError(t, err)
	}
	assert.True(t, exists("a"))

	d, err := c.Delete(ctx, &pb.DeleteRequest{UserId: user, Key: "a"})
	require.NoError(t, err)
	assert.Equal(t, &pb.DeleteResponse{Success: true, DeletedCount: 1}, &pb.DeleteResponse{Success: d.Success, DeletedCount: d.DeletedCount})
	assert.False(t, exists("a"))
	d, err = c.Delete(ctx, &pb.DeleteRequest{UserId: user, Key: "a"})
	require.NoError(t, err)
	assert.True(t, d.Success)
	assert.Zero(t, d.DeletedCount, "the real count")

	d, err = c.DeleteMultiple(ctx, &pb.DeleteMultipleRequest{UserId: user, Keys: []string{"b", "missing", "c"}})
	require.NoError(t, err)
	assert.True(t, d.Success)
	assert.Equal(t, int32(2), d.DeletedCount)
}

func TestExpireGetTTL(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	ttl := func(k string) int64 {
		r, err := c.GetTTL(ctx, &pb.GetTTLRequest{UserId: user, Key: k})
		require.NoError(t, err)
		return r.TtlSeconds
	}
	expire := func(k string, d time.Duration) bool {
		r, err := c.Expire(ctx, &pb.ExpireRequest{UserId: user, Key: k, Expiration: durationpb.New(d)})
		require.NoError(t, err)
		return r.Success
	}
	assert.Equal(t, int64(-2), ttl("k"), "missing key")
	assert.False(t, expire("k", time.Minute), "missing key")
	_, err := c.Set(ctx, &pb.SetRequest{UserId: user, Key: "k", Value: "v"})
	require.NoError(t, err)
	assert.Equal(t, int64(-1), ttl("k"), "no TTL")
	assert.True(t, expire("k", 100*time.Second))
	assert.Equal(t, int64(100), ttl("k"))
	h.clock.Advance(40 * time.Second)
	assert.Equal(t, int64(60), ttl("k"))
	assert.True(t, expire("k", 0), "zero deletes an existing key")
	assert.Equal(t, int64(-2), ttl("k"))

	_, err = c.Set(ctx, &pb.SetRequest{UserId: user, Key: "n", Value: "v"})
	require.NoError(t, err)
	assert.True(t, expire("n", -time.Second), "negative deletes")
	assert.Equal(t, int64(-2), ttl("n"))

	// An unset expiration is zero: it deletes.
	_, err = c.Set(ctx, &pb.SetRequest{UserId: user, Key: "u", Value: "v"})
	require.NoError(t, err)
	r, err := c.Expire(ctx, &pb.ExpireRequest{UserId: user, Key: "u"})
	require.NoError(t, err)
	assert.True(t, r.Success)
	assert.Equal(t, int64(-2), ttl("u"))

	_, err = c.Expire(ctx, &pb.ExpireRequest{UserId: user, Key: "k", Expiration: &durationpb.Duration{Seconds: -1, Nanos: 5}})
	requireCode(t, err, codes.InvalidArgument, "expiration is not a valid duration")
}

func TestRename(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	c := h.client
	_, err := c.Rename(ctx, &pb.RenameRequest{UserId: user, OldKey: "old", NewKey: "new"})
	requireCode(t, err, codes.NotFound, "ERR no such key")

	_, err = c.SetWithExpiration(ctx, &pb.SetWithExpirationRequest{UserId: user, Key: "old", Value: "v", Expiration: durationpb.New(time.Minute)})
	require.NoError(t, err)
	_, err = c.Set(ctx, &pb.SetRequest{UserId: user, Key: "new", Value: "overwritten"})
	require.NoError(t, err)
	r, err := c.Rename(ctx, &pb.RenameRequest{UserId: user, OldKey: "old", NewKey: "new"})
	require.NoError(t, err)
	assert.True(t, r.Success)
	got, err := c.Get(ctx, &pb.GetRequest{UserId: user, Key: "new"})
	require.NoError(t, err)
	assert.Equal(t, "v", got.Value)
	ex, err := c.Exists(ctx, &pb.ExistsRequest{UserId: user, Key: "old"})
	require.NoError(t, err)
	assert.False(t, ex.Exists)
	ttl, err := c.GetTTL(ctx, &pb.GetTTLRequest{UserId: user, Key: "new"})
	require.NoError(t, err)
	assert.Equal(t, int64(60), ttl.TtlSeconds, "RENAME keeps the TTL")
}

func TestListKeys(t *testing.T) {
	h := newHarness(t, Options{Limits: Limits{ListKeysDefault: 3, ListKeysMax: 4}})
	ctx := testCtx(t)
	c := h.client
	for i := range 6 {
		_, err := c.Set(ctx, &pb.SetRequest{UserId: user, OrganizationId: org, Key: fmt.Sprintf("test:key%d", 5-i), Value: "v"})
		require.NoError(t, err)
	}
	_, err := c.Set(ctx, &pb.SetRequest{UserId: user, OrganizationId: org, Key: "other", Value: "v"})
	require.NoError(t, err)
	list := func(pattern string, limit int32) *pb.ListKeysResponse {
		r, err := c.ListKeys(ctx, &pb.ListKeysRequest{UserId: user, OrganizationId: org, Pattern: pattern, Limit: limit})
		require.NoError(t, err)
		return r
	}

	r := list("test:key*", 2)
	assert.Equal(t, []string{"test:key0", "test:key1"}, r.Keys, "sorted, unprefixed, truncated")
	assert.Equal(t, int32(6), r.TotalCount, "matches before truncation")
	assert.Len(t, list("", 0).Keys, 3, "default limit; empty pattern is *")
	assert.Equal(t, int32(7), list("", 0).TotalCount)
	assert.Len(t, list("*", 1000).Keys, 4, "limit lowered to the maximum")
	assert.Equal(t, []string{"test:key3"}, list("test:key[3]", 0).Keys)
	assert.Equal(t, []string{"other"}, list("o?her", 0).Keys)

	// The listed keys round-trip through DeleteMultiple.
	d, err := c.DeleteMultiple(ctx, &pb.DeleteMultipleRequest{UserId: user, OrganizationId: org, Keys: list("test:key*", 2).Keys})
	require.NoError(t, err)
	assert.Equal(t, int32(2), d.DeletedCount)
	assert.Equal(t, int32(4), list("test:key*", 0).TotalCount)
}
