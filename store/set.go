package store

import (
	"fmt"
	"slices"
)

// setMemberOverhead approximates what one set member costs beyond its
// bytes: its string header in the dense slice, its map slot (key header and
// index) and the map's load-factor slack.
const setMemberOverhead = 48

// Set is an unordered set of strings (a Redis set). Members live in a dense
// slice beside a member->position map: membership is one map lookup, and a
// uniformly random member (SPOP, SRANDMEMBER) is one random index instead
// of a walk over the map. Removal moves the last member into the hole.
//
// Set is not safe for concurrent use; the shard lock guards it.
type Set struct {
	accounting // what the keyspace counts for it (see Entry)
	members    []string
	pos        map[string]int
	bytes      int64
}

// NewSet returns an empty set with room for n members.
func NewSet(n int) *Set {
	return &Set{members: make([]string, 0, n), pos: make(map[string]int, n)}
}

// Type is TypeSet.
func (s *Set) Type() Type { return TypeSet }

// Len is the number of members.
func (s *Set) Len() int { return len(s.members) }

// Bytes approximates the memory the members use; it is maintained on every
// change, so it costs nothing to read.
func (s *Set) Bytes() int64 { return s.bytes }

func setMemberBytes(m string) int64 { return int64(len(m)) + setMemberOverhead }

// Add inserts m and reports whether it was new.
func (s *Set) Add(m string) bool {
	if _, ok := s.pos[m]; ok {
		return false
	}
	s.pos[m] = len(s.members)
	s.members = append(s.members, m)
	s.bytes += setMemberBytes(m)
	return true
}

// Remove deletes m and reports whether it was present.
func (s *Set) Remove(m string) bool {
	i, ok := s.pos[m]
	if !ok {
		return false
	}
	s.removeAt(i)
	return true
}

func (s *Set) removeAt(i int) {
	m := s.members[i]
	last := len(s.members) - 1
	if i != last {
		moved := s.members[last]
		s.members[i] = moved
		s.pos[moved] = i
	}
	s.members[last] = "" // let the string be collected
	s.members = s.members[:last]
	delete(s.pos, m)
	s.bytes -= setMemberBytes(m)
	// A set that shrank to a quarter of its slice gives the rest back, so a
	// large set drained by SPOP does not pin its peak memory.
	if cap(s.members) > 64 && len(s.members) < cap(s.members)/4 {
		s.members = slices.Clip(slices.Clone(s.members))
	}
}

// Has reports whether m is a member.
func (s *Set) Has(m string) bool {
	_, ok := s.pos[m]
	return ok
}

// Members returns the members in an unspecified order, as a new slice.
func (s *Set) Members() []string { return slices.Clone(s.members) }

// Sorted returns the members sorted bytewise, as a new slice: the
// deterministic order the engine replies in where Redis promises none.
func (s *Set) Sorted() []string {
	out := slices.Clone(s.members)
	slices.Sort(out)
	return out
}

// Each calls fn for every member in an unspecified order until fn returns
// false. fn must not modify the set.
func (s *Set) Each(fn func(m string) bool) {
	for _, m := range s.members {
		if !fn(m) {
			return
		}
	}
}

// Random returns a uniformly random member; intn(n) must return a uniform
// integer in [0, n). The set must not be empty.
func (s *Set) Random(intn func(int) int) string {
	return s.members[intn(len(s.members))]
}

// Pop removes and returns a uniformly random member. The set must not be
// empty.
func (s *Set) Pop(intn func(int) int) string {
	i := intn(len(s.members))
	m := s.members[i]
	s.removeAt(i)
	return m
}

// RandomDistinct returns min(n, Len()) distinct members chosen uniformly at
// random, in an unspecified order.
func (s *Set) RandomDistinct(n int, intn func(int) int) []string {
	size := len(s.members)
	if n >= size {
		return s.Members()
	}
	if n*3 > size {
		// Most of the set is wanted: a partial Fisher-Yates shuffle of a
		// copy costs O(size) but no hashing.
		all := s.Members()
		for i := 0; i < n; i++ {
			j := i + intn(size-i)
			all[i], all[j] = all[j], all[i]
		}
		return slices.Clip(all[:n])
	}
	// A small sample: draw indexes until n distinct ones came up. With at
	// most a third of the set wanted, each draw is new with probability
	// at least 2/3, so this takes O(n) expected draws.
	seen := make(map[int]struct{}, n)
	out := make([]string, 0, n)
	for len(out) < n {
		i := intn(size)
		if _, dup := seen[i]; dup {
			continue
		}
		seen[i] = struct{}{}
		out = append(out, s.members[i])
	}
	return out
}

// Verify checks the set's internal invariants (positions and the byte
// count); it is for tests.
func (s *Set) Verify() error {
	if len(s.pos) != len(s.members) {
		return fmt.Errorf("set: %d positions for %d members", len(s.pos), len(s.members))
	}
	var bytes int64
	for i, m := range s.members {
		if j, ok := s.pos[m]; !ok || j != i {
			return fmt.Errorf("set: member %q at %d indexed at %d (%v)", m, i, j, ok)
		}
		bytes += setMemberBytes(m)
	}
	if bytes != s.bytes {
		return fmt.Errorf("set: accounted %d bytes, members use %d", s.bytes, bytes)
	}
	return nil
}
