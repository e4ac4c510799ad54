package memstoretest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/isa-cloud/isa-memstore/client"
)

// checkTimeout bounds each Check's call.
const checkTimeout = 10 * time.Second

func checkCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), checkTimeout)
}

// CheckGet asserts that key holds the string want.
func (s *Server) CheckGet(t testing.TB, key, want string) {
	t.Helper()
	ctx, cancel := checkCtx()
	defer cancel()
	got, err := s.Client.Get(ctx, key)
	switch {
	case errors.Is(err, client.Nil):
		t.Errorf("memstoretest: key %q: missing, want %q", key, want)
	case err != nil:
		t.Errorf("memstoretest: GET %q: %v", key, err)
	case got != want:
		t.Errorf("memstoretest: key %q = %q, want %q", key, got, want)
	}
}

// CheckExists asserts whether key exists (with a value of any type).
func (s *Server) CheckExists(t testing.TB, key string, want bool) {
	t.Helper()
	ctx, cancel := checkCtx()
	defer cancel()
	got, err := s.Client.Exists(ctx, key)
	switch {
	case err != nil:
		t.Errorf("memstoretest: EXISTS %q: %v", key, err)
	case got != want:
		t.Errorf("memstoretest: key %q exists = %v, want %v", key, got, want)
	}
}

// CheckTTL asserts key's remaining time to live, in whole seconds as the
// server reports it (want client.NoExpiration for a key without one). The
// manual clock makes it exact: it moves only with Advance.
func (s *Server) CheckTTL(t testing.TB, key string, want time.Duration) {
	t.Helper()
	ctx, cancel := checkCtx()
	defer cancel()
	got, err := s.Client.TTL(ctx, key)
	switch {
	case errors.Is(err, client.Nil):
		t.Errorf("memstoretest: TTL of %q: key missing, want %v", key, want)
	case err != nil:
		t.Errorf("memstoretest: TTL %q: %v", key, err)
	case got != want:
		t.Errorf("memstoretest: TTL of %q = %v, want %v", key, got, want)
	}
}

// CheckHash asserts that the hash at key is exactly want (empty or nil:
// the key holds no hash).
func (s *Server) CheckHash(t testing.TB, key string, want map[string]string) {
	t.Helper()
	ctx, cancel := checkCtx()
	defer cancel()
	got, err := s.Client.HGetAll(ctx, key)
	switch {
	case err != nil:
		t.Errorf("memstoretest: HGETALL %q: %v", key, err)
	case !equalMaps(got, want):
		t.Errorf("memstoretest: hash %q = %v, want %v", key, got, want)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// CheckList asserts that the list at key is exactly want, in order.
func (s *Server) CheckList(t testing.TB, key string, want []string) {
	t.Helper()
	ctx, cancel := checkCtx()
	defer cancel()
	got, err := s.Client.LRange(ctx, key, 0, -1)
	switch {
	case err != nil:
		t.Errorf("memstoretest: LRANGE %q: %v", key, err)
	case !slices.Equal(got, want):
		t.Errorf("memstoretest: list %q = %q, want %q", key, got, want)
	}
}

// CheckSet asserts that the set at key has exactly the members want, in
// any order.
func (s *Server) CheckSet(t testing.TB, key string, want []string) {
	t.Helper()
	ctx, cancel := checkCtx()
	defer cancel()
	got, err := s.Client.SMembers(ctx, key)
	if err != nil {
		t.Errorf("memstoretest: SMEMBERS %q: %v", key, err)
		return
	}
	g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(g, w) {
		t.Errorf("memstoretest: set %q = %q, want %q", key, g, w)
	}
}

// CheckZSet asserts that the sorted set at key is exactly want, in rank
// order with those scores.
func (s *Server) CheckZSet(t testing.TB, key string, want []client.Z) {
	t.Helper()
	ctx, cancel := checkCtx()
	defer cancel()
	got, err := s.Client.ZRangeWithScores(ctx, key, 0, -1)
	switch {
	case err != nil:
		t.Errorf("memstoretest: ZRANGE %q: %v", key, err)
	case !slices.Equal(got, want):
		t.Errorf("memstoretest: sorted set %q = %v, want %v", key, got, want)
	}
}
