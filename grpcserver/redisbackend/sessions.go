package redisbackend

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// Sessions.
//
// A session is one hash, found by its user and id (sessionKey): the
// get/update/delete requests carry no organization. It holds the owner
// (u, o), the times in Unix ms (c created, a last accessed, e deadline),
// its own TTL (t) and the data, each data key prefixed with "d:" so no data
// key can collide with the bookkeeping. The hash expires with the session
// (PEXPIRE), so Redis reclaims it by itself.
//
// ListSessions needs a tenant's sessions without a scan: each user has an
// index, a sorted set of session ids scored by deadline (sessionIndexKey),
// which lives in the same hash slot as the user's sessions, so every
// change to a session and to the index happens in one script. The index is
// per user rather than per tenant so that UpdateSession and DeleteSession,
// which do not know the organization, can keep it exact; ListSessions
// keeps the tenant's entries. An index entry whose hash has expired is
// removed by the next ListSessions, and the index itself expires with its
// longest-lived session.

// dataPrefix precedes every data key in a session hash.
const dataPrefix = "d:"

// createSessionScript: KEYS[1] session, KEYS[2] index; ARGV[1] id, [2] user,
// [3] org, [4] now ms, [5] ttl ms, then "d:"-prefixed data pairs. Answers 0
// when the id is taken (never in practice: 128 random bits), else 1.
var createSessionScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local now, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
local dl = now + ttl
redis.call('HSET', KEYS[1], 'u', ARGV[2], 'o', ARGV[3], 'c', now, 'a', now, 'e', dl, 't', ttl)
local i = 6
while i <= #ARGV do
  local last = math.min(i + 199, #ARGV)
  redis.call('HSET', KEYS[1], unpack(ARGV, i, last))
  i = last + 1
end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], dl, ARGV[1])
redis.call('PEXPIREAT', KEYS[2], redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')[2])
return 1
`)

// live is the Lua test that KEYS[1] is a live session of ARGV[1] at ARGV[2].
const live = `
local u = redis.call('HGET', KEYS[1], 'u')
if not u or u ~= ARGV[1] or tonumber(redis.call('HGET', KEYS[1], 'e')) <= tonumber(ARGV[2]) then
  return false
end
`

// getSessionScript: KEYS[1] session; ARGV[1] user, [2] now ms. Marks the
// session accessed and answers its hash, or nil.
var getSessionScript = redis.NewScript(live + `
redis.call('HSET', KEYS[1], 'a', ARGV[2])
return redis.call('HGETALL', KEYS[1])
`)

// updateSessionScript: KEYS[1] session, KEYS[2] index; ARGV[1] user,
// [2] now ms, [3] id, [4] "1" to restart the TTL, then "d:"-prefixed data
// pairs. Answers 1, or nil when there is no such session.
var updateSessionScript = redis.NewScript(live + `
local i = 5
while i <= #ARGV do
  local last = math.min(i + 199, #ARGV)
  redis.call('HSET', KEYS[1], unpack(ARGV, i, last))
  i = last + 1
end
redis.call('HSET', KEYS[1], 'a', ARGV[2])
if ARGV[4] == '1' then
  local ttl = tonumber(redis.call('HGET', KEYS[1], 't'))
  local dl = tonumber(ARGV[2]) + ttl
  redis.call('HSET', KEYS[1], 'e', dl)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('ZADD', KEYS[2], dl, ARGV[3])
  redis.call('PEXPIREAT', KEYS[2], dl, 'GT')
end
return 1
`)

// deleteSessionScript: KEYS[1] session, KEYS[2] index; ARGV[1] user,
// [2] now ms, [3] id. Answers 1, or nil when there is no such session.
var deleteSessionScript = redis.NewScript(live + `
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[3])
return 1
`)

// sessionData returns data as "d:"-prefixed pairs for a script, leaving
// out the server-owned created_at entry.
func sessionData(data map[string]string) []any {
	out := make([]any, 0, 2*len(data))
	for k, v := range data {
		if k != engine.SessionCreatedAtKey {
			out = append(out, dataPrefix+k, v)
		}
	}
	return out
}

// CreateSession implements grpcserver.SessionBackend.
func (b *Backend) CreateSession(ctx context.Context, t grpcserver.Tenant, data map[string]string, ttl time.Duration) (grpcserver.Session, error) {
	if ttl < 0 {
		return grpcserver.Session{}, engineText("ERR invalid session ttl: must not be negative", engine.ErrInvalidArgument)
	}
	if ttl == 0 {
		ttl = b.opts.DefaultSessionTTL
	}
	n, err := b.begin(t)
	if err != nil {
		return grpcserver.Session{}, err
	}
	ms := ttlMillis(ttl)
	now := time.Now().UnixMilli()
	created := time.UnixMilli(now).UTC()
	pairs := sessionData(data)
	pairs = append(pairs, dataPrefix+engine.SessionCreatedAtKey, created.Format(time.RFC3339))
	for {
		id := newToken()
		args := append([]any{id, t.User, t.Org, now, ms}, pairs...)
		ok, err := createSessionScript.Run(ctx, b.c, []string{n.sessionKey(id), n.sessionIndex()}, args...).Int64()
		if err != nil {
			return grpcserver.Session{}, b.translate(ctx, err)
		}
		if ok == 1 {
			s := grpcserver.Session{
				ID:           id,
				User:         t.User,
				Data:         make(map[string]string, len(data)+1),
				CreatedAt:    created,
				ExpiresAt:    time.UnixMilli(now + ms).UTC(),
				LastAccessed: created,
			}
			for i := 0; i < len(pairs); i += 2 {
				s.Data[strings.TrimPrefix(pairs[i].(string), dataPrefix)] = pairs[i+1].(string)
			}
			return s, nil
		}
	}
}

// beginUser starts a session call, which has a user but no organization:
// its command is counted under the user alone.
func (b *Backend) beginUser(user string) (names, error) {
	return b.begin(grpcserver.Tenant{User: user})
}

// GetSession implements grpcserver.SessionBackend.
func (b *Backend) GetSession(ctx context.Context, user, id string) (grpcserver.Session, bool, error) {
	n, err := b.beginUser(user)
	if err != nil {
		return grpcserver.Session{}, false, err
	}
	flat, err := getSessionScript.Run(ctx, b.c, []string{n.sessionKey(id)}, user, time.Now().UnixMilli()).StringSlice()
	if errors.Is(err, redis.Nil) {
		return grpcserver.Session{}, false, nil
	}
	if err != nil {
		return grpcserver.Session{}, false, b.translate(ctx, err)
	}
	s, _ := parseSession(id, flat)
	return s, true, nil
}

// parseSession builds a Session from a session hash's HGETALL reply; org
// is the organization that created it.
func parseSession(id string, flat []string) (s grpcserver.Session, org string) {
	s = grpcserver.Session{ID: id, Data: make(map[string]string)}
	ms := func(v string) time.Time {
		n, _ := strconv.ParseInt(v, 10, 64)
		return time.UnixMilli(n).UTC()
	}
	for i := 0; i+1 < len(flat); i += 2 {
		f, v := flat[i], flat[i+1]
		if k, ok := strings.CutPrefix(f, dataPrefix); ok {
			s.Data[k] = v
			continue
		}
		switch f {
		case "u":
			s.User = v
		case "o":
			org = v
		case "c":
			s.CreatedAt = ms(v)
		case "a":
			s.LastAccessed = ms(v)
		case "e":
			s.ExpiresAt = ms(v)
		}
	}
	return s, org
}

// UpdateSession implements grpcserver.SessionBackend.
func (b *Backend) UpdateSession(ctx context.Context, user, id string, data map[string]string, extendTTL bool) (bool, error) {
	n, err := b.beginUser(user)
	if err != nil {
		return false, err
	}
	extend := "0"
	if extendTTL {
		extend = "1"
	}
	args := append([]any{user, time.Now().UnixMilli(), id, extend}, sessionData(data)...)
	_, err = updateSessionScript.Run(ctx, b.c, []string{n.sessionKey(id), n.sessionIndex()}, args...).Int64()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return err == nil, b.translate(ctx, err)
}

// DeleteSession implements grpcserver.SessionBackend.
func (b *Backend) DeleteSession(ctx context.Context, user, id string) (bool, error) {
	n, err := b.beginUser(user)
	if err != nil {
		return false, err
	}
	_, err = deleteSessionScript.Run(ctx, b.c, []string{n.sessionKey(id), n.sessionIndex()}, user, time.Now().UnixMilli(), id).Int64()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return err == nil, b.translate(ctx, err)
}

// ListSessions implements grpcserver.SessionBackend: the tenant's live
// sessions, oldest first, read from the user's index in one pipeline.
func (b *Backend) ListSessions(ctx context.Context, t grpcserver.Tenant) ([]grpcserver.Session, error) {
	n, err := b.begin(t)
	if err != nil {
		return nil, err
	}
	idx := n.sessionIndex()
	ids, err := b.c.ZRange(ctx, idx, 0, -1).Result()
	if err != nil {
		return nil, b.translate(ctx, err)
	}
	out := []grpcserver.Session{}
	if len(ids) == 0 {
		return out, nil
	}
	p := b.c.Pipeline()
	cmds := make([]*redis.Cmd, len(ids))
	for i, id := range ids {
		// Do, not HGetAll: the map loses nothing here, but the flat
		// reply parses the same way as the scripts'.
		cmds[i] = p.Do(ctx, "hgetall", n.sessionKey(id))
	}
	if _, err := p.Exec(ctx); err != nil {
		return nil, b.translate(ctx, err)
	}
	now := time.Now()
	var gone []any
	for i, c := range cmds {
		flat, err := c.StringSlice()
		if err != nil {
			return nil, b.translate(ctx, err)
		}
		if len(flat) == 0 {
			gone = append(gone, ids[i]) // expired: Redis removed the hash
			continue
		}
		s, org := parseSession(ids[i], flat)
		if org != t.Org || s.User != t.User || !s.ExpiresAt.After(now) {
			continue
		}
		out = append(out, s)
	}
	if len(gone) > 0 {
		_ = b.c.ZRem(ctx, idx, gone...).Err() // housekeeping; the next call retries
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}
