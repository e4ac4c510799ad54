package memstoretest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/client"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, format)
}

func TestChecks(t *testing.T) {
	s := Start(t)
	ctx := testCtx(t)
	require.NoError(t, s.Client.Set(ctx, "str", "v"))
	_, err := s.Client.HSet(ctx, "h", map[string]string{"a": "1"})
	require.NoError(t, err)
	_, err = s.Client.RPush(ctx, "l", "a", "b")
	require.NoError(t, err)

	passing := []func(testing.TB){
		func(t testing.TB) { s.CheckGet(t, "str", "v") },
		func(t testing.TB) { s.CheckExists(t, "str", true) },
		func(t testing.TB) { s.CheckExists(t, "nope", false) },
		func(t testing.TB) { s.CheckTTL(t, "str", client.NoExpiration) },
		func(t testing.TB) { s.CheckHash(t, "h", map[string]string{"a": "1"}) },
		func(t testing.TB) { s.CheckHash(t, "nope", nil) },
		func(t testing.TB) { s.CheckList(t, "l", []string{"a", "b"}) },
		func(t testing.TB) { s.CheckList(t, "nope", nil) },
	}
	failing := []func(testing.TB){
		func(t testing.TB) { s.CheckGet(t, "str", "other") },
		func(t testing.TB) { s.CheckGet(t, "nope", "v") },
		func(t testing.TB) { s.CheckGet(t, "h", "v") }, // WRONGTYPE
		func(t testing.TB) { s.CheckExists(t, "str", false) },
		func(t testing.TB) { s.CheckTTL(t, "str", time.Second) },
		func(t testing.TB) { s.CheckTTL(t, "nope", client.NoExpiration) },
		func(t testing.TB) { s.CheckHash(t, "h", map[string]string{"a": "2"}) },
		func(t testing.TB) { s.CheckHash(t, "h", map[string]string{"a": "1", "b": "2"}) },
		func(t testing.TB) { s.CheckList(t, "l", []string{"b", "a"}) },
		func(t testing.TB) { s.CheckList(t, "str", nil) }, // WRONGTYPE
	}
	for i, check := range passing {
		r := &recorder{TB: t}
		check(r)
		require.Empty(t, r.errors, "passing check %d", i)
	}
	for i, check := range failing {
		r := &recorder{TB: t}
		check(r)
		require.Len(t, r.errors, 1, "failing check %d", i)
	}
}

func TestChecksSetsAndSortedSets(t *testing.T) {
	s := Start(t)
	ctx := testCtx(t)
	_, err := s.Client.SAdd(ctx, "s", "b", "a")
	require.NoError(t, err)
	s.CheckSet(t, "s", []string{"a", "b"})
	r := &recorder{TB: t}
	s.CheckSet(r, "s", []string{"a"})
	require.Len(t, r.errors, 1)

	_, err = s.Client.ZAdd(ctx, "z", client.Z{Member: "x", Score: 2}, client.Z{Member: "y", Score: 1})
	require.NoError(t, err)
	s.CheckZSet(t, "z", []client.Z{{Member: "y", Score: 1}, {Member: "x", Score: 2}})
	r = &recorder{TB: t}
	s.CheckZSet(r, "z", []client.Z{{Member: "x", Score: 2}, {Member: "y", Score: 1}})
	require.Len(t, r.errors, 1)
}
