package conformance

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// hostilePairs are tenants that a naive "org:user:key" prefix would let
// collide, or whose ids are glob patterns. Each pair gets a random
// suffix so runs do not share data.
func hostilePairs(t *testing.T) [][2]tenant {
	r := randomHex(t)
	return [][2]tenant{
		{{Org: "", User: "a" + r}, {Org: "", User: "a" + r + ":x"}},
		{{Org: "o" + r, User: "u:x"}, {Org: "o" + r + ":u", User: "x"}},
		{{Org: "p" + r, User: "u:x"}, {Org: "p" + r, User: "u"}},
		{{Org: "o" + r, User: "*"}, {Org: "o" + r, User: "u"}},
		{{Org: "*", User: "u" + r}, {Org: "o", User: "u" + r}},
		{{Org: "[a-z]" + r, User: "?"}, {Org: "a" + r, User: "b"}},
		{{Org: "", User: "user-001" + r}, {Org: "org-001", User: "user-001" + r}},
	}
}

// ambiguous reports whether id holds a character of AmbiguousIDChars.
func ambiguous(id string) bool { return strings.ContainsAny(id, AmbiguousIDChars) }

// pairs are the hostile pairs whose isolation this target must show:
// all of them, or, on a target that refuses ambiguous ids, those whose
// ids it accepts (AmbiguousIDsRejected checks the others).
func (s *suite) pairs(t *testing.T) [][2]tenant {
	all := hostilePairs(t)
	if !s.cfg.RejectsAmbiguousIDs {
		return all
	}
	var out [][2]tenant
	for _, p := range all {
		if !ambiguous(p[0].User) && !ambiguous(p[0].Org) && !ambiguous(p[1].User) && !ambiguous(p[1].Org) {
			out = append(out, p)
		}
	}
	require.NotEmpty(t, out, "some hostile pair must remain to check isolation")
	return out
}

var tenancyCases = map[string]func(*testing.T, *suite){
	"AmbiguousIDsRejected": ambiguousIDsRejected,
	"KeysDoNotCross": func(t *testing.T, s *suite) {
		// The case existing clients' tests check.
		r := randomHex(t)
		a, b := tenant{Org: "org-001" + r, User: "user-001"}, tenant{Org: "org-002" + r, User: "user-002"}
		s.set(t, a, "shared", "a's")
		_, found := s.get(t, b, "shared")
		assert.False(t, found)

		for _, p := range s.pairs(t) {
			x, y := p[0], p[1]
			s.set(t, x, "k", "x")
			s.set(t, x, "x:k", "x")
			for _, k := range []string{"k", "x:k", "u:x:k", ":k"} {
				_, found := s.get(t, y, k)
				assert.False(t, found, "%+v sees %+v's key %q", y, x, k)
			}
			for _, pattern := range []string{"*", "?", "*k*", "[a-z]*", "\\*"} {
				l, err := s.c.ListKeys(ctx(t), &pb.ListKeysRequest{UserId: y.User, OrganizationId: y.Org, Pattern: pattern})
				must(t, "ListKeys", err)
				assert.Empty(t, l.Keys, "%+v lists %+v's keys with %q", y, x, pattern)
			}
		}
	},
	"ChannelsDoNotCross": func(t *testing.T, s *suite) {
		for _, p := range s.pairs(t) {
			x, y := p[0], p[1]
			s.subscribe(t, x, "ch")
			assert.Equal(t, int32(0), s.publish(t, y, "ch", "intruder"), "%+v reaches %+v's subscriber", y, x)
			_, err := s.c.Unsubscribe(ctx(t), &pb.UnsubscribeRequest{UserId: y.User, OrganizationId: y.Org, Channels: []string{"ch"}})
			must(t, "Unsubscribe", err)
			assert.Equal(t, int32(1), s.publish(t, x, "ch", "still subscribed"), "%+v's Unsubscribe ended %+v's subscription", y, x)
		}
	},
	"LocksDoNotCross": func(t *testing.T, s *suite) {
		for _, p := range s.pairs(t) {
			x, y := p[0], p[1]
			ax := s.acquire(t, x, "lock", time.Minute, 0)
			require.True(t, ax.Acquired)
			ay := s.acquire(t, y, "lock", time.Minute, 0)
			assert.True(t, ay.Acquired, "%+v blocked by %+v's lock", y, x)
			assert.False(t, s.release(t, y, "lock", ax.LockId), "%+v released %+v's lock", y, x)
		}
	},
	"SessionsDoNotCross": func(t *testing.T, s *suite) {
		for _, p := range s.pairs(t) {
			x, y := p[0], p[1]
			cr, err := s.c.CreateSession(ctx(t), &pb.CreateSessionRequest{UserId: x.User, OrganizationId: x.Org, Data: map[string]string{"k": "v"}, Ttl: durationpb.New(time.Hour)})
			must(t, "CreateSession", err)
			if x.User != y.User {
				g, err := s.c.GetSession(ctx(t), &pb.GetSessionRequest{UserId: y.User, SessionId: cr.SessionId})
				must(t, "GetSession", err)
				assert.False(t, g.Found, "%+v reads %+v's session", y, x)
				d, err := s.c.DeleteSession(ctx(t), &pb.DeleteSessionRequest{UserId: y.User, SessionId: cr.SessionId})
				must(t, "DeleteSession", err)
				assert.False(t, d.Success, "%+v deletes %+v's session", y, x)
				u, err := s.c.UpdateSession(ctx(t), &pb.UpdateSessionRequest{UserId: y.User, SessionId: cr.SessionId, Data: map[string]string{"k": "hijacked"}})
				must(t, "UpdateSession", err)
				assert.False(t, u.Success, "%+v updates %+v's session", y, x)
			}
			l, err := s.c.ListSessions(ctx(t), &pb.ListSessionsRequest{UserId: y.User, OrganizationId: y.Org})
			must(t, "ListSessions", err)
			assert.Empty(t, l.Sessions, "%+v lists %+v's session", y, x)
		}
	},
}

// tenantCall is one RPC in a tenant's name, for the refusal checks.
type tenantCall struct {
	rpc string
	// userOnly: the request carries the user id alone (the session calls).
	userOnly bool
	call     func(context.Context) error
}

// everyRPC are all tenant-scoped RPCs, each in tn's name, most of them
// writing (so a wrongly accepted one leaves a trace for the witnesses).
func (s *suite) everyRPC(tn tenant) []tenantCall {
	u, o := tn.User, tn.Org
	ttl := durationpb.New(time.Hour)
	c := s.c
	call := func(rpc string, f func(context.Context) error) tenantCall {
		return tenantCall{rpc: rpc, call: f}
	}
	return []tenantCall{
		call("Set", func(x context.Context) error {
			_, err := c.Set(x, &pb.SetRequest{UserId: u, OrganizationId: o, Key: "k", Value: "v"})
			return err
		}),
		call("SetWithExpiration", func(x context.Context) error {
			_, err := c.SetWithExpiration(x, &pb.SetWithExpirationRequest{UserId: u, OrganizationId: o, Key: "x:k", Value: "v", Expiration: ttl})
			return err
		}),
		call("Get", func(x context.Context) error {
			_, err := c.Get(x, &pb.GetRequest{UserId: u, OrganizationId: o, Key: "k"})
			return err
		}),
		call("GetMultiple", func(x context.Context) error {
			_, err := c.GetMultiple(x, &pb.GetMultipleRequest{UserId: u, OrganizationId: o, Keys: []string{"k", "x:k"}})
			return err
		}),
		call("Increment", func(x context.Context) error {
			_, err := c.Increment(x, &pb.IncrementRequest{UserId: u, OrganizationId: o, Key: "n", Delta: 1})
			return err
		}),
		call("Decrement", func(x context.Context) error {
			_, err := c.Decrement(x, &pb.DecrementRequest{UserId: u, OrganizationId: o, Key: "n", Delta: 1})
			return err
		}),
		call("Append", func(x context.Context) error {
			_, err := c.Append(x, &pb.AppendRequest{UserId: u, OrganizationId: o, Key: "a", Value: "v"})
			return err
		}),
		call("Delete", func(x context.Context) error {
			_, err := c.Delete(x, &pb.DeleteRequest{UserId: u, OrganizationId: o, Key: "k"})
			return err
		}),
		call("DeleteMultiple", func(x context.Context) error {
			_, err := c.DeleteMultiple(x, &pb.DeleteMultipleRequest{UserId: u, OrganizationId: o, Keys: []string{"k", "x:k"}})
			return err
		}),
		call("Exists", func(x context.Context) error {
			_, err := c.Exists(x, &pb.ExistsRequest{UserId: u, OrganizationId: o, Key: "k"})
			return err
		}),
		call("Expire", func(x context.Context) error {
			_, err := c.Expire(x, &pb.ExpireRequest{UserId: u, OrganizationId: o, Key: "k", Expiration: ttl})
			return err
		}),
		call("GetTTL", func(x context.Context) error {
			_, err := c.GetTTL(x, &pb.GetTTLRequest{UserId: u, OrganizationId: o, Key: "k"})
			return err
		}),
		call("Rename", func(x context.Context) error {
			_, err := c.Rename(x, &pb.RenameRequest{UserId: u, OrganizationId: o, OldKey: "k", NewKey: "x:k"})
			return err
		}),
		call("ListKeys", func(x context.Context) error {
			_, err := c.ListKeys(x, &pb.ListKeysRequest{UserId: u, OrganizationId: o, Pattern: "*"})
			return err
		}),
		call("HSet", func(x context.Context) error {
			_, err := c.HSet(x, &pb.HSetRequest{UserId: u, OrganizationId: o, Key: "h", Fields: []*pb.HashField{{Field: "f", Value: "v"}}})
			return err
		}),
		call("HGet", func(x context.Context) error {
			_, err := c.HGet(x, &pb.HGetRequest{UserId: u, OrganizationId: o, Key: "h", Field: "f"})
			return err
		}),
		call("HGetAll", func(x context.Context) error {
			_, err := c.HGetAll(x, &pb.HGetAllRequest{UserId: u, OrganizationId: o, Key: "h"})
			return err
		}),
		call("HDelete", func(x context.Context) error {
			_, err := c.HDelete(x, &pb.HDeleteRequest{UserId: u, OrganizationId: o, Key: "h", Fields: []string{"f"}})
			return err
		}),
		call("HExists", func(x context.Context) error {
			_, err := c.HExists(x, &pb.HExistsRequest{UserId: u, OrganizationId: o, Key: "h", Field: "f"})
			return err
		}),
		call("HKeys", func(x context.Context) error {
			_, err := c.HKeys(x, &pb.HKeysRequest{UserId: u, OrganizationId: o, Key: "h"})
			return err
		}),
		call("HValues", func(x context.Context) error {
			_, err := c.HValues(x, &pb.HValuesRequest{UserId: u, OrganizationId: o, Key: "h"})
			return err
		}),
		call("HIncrement", func(x context.Context) error {
			_, err := c.HIncrement(x, &pb.HIncrementRequest{UserId: u, OrganizationId: o, Key: "hn", Field: "f", Delta: 1})
			return err
		}),
		call("LPush", func(x context.Context) error {
			_, err := c.LPush(x, &pb.LPushRequest{UserId: u, OrganizationId: o, Key: "l", Values: []string{"a"}})
			return err
		}),
		call("RPush", func(x context.Context) error {
			_, err := c.RPush(x, &pb.RPushRequest{UserId: u, OrganizationId: o, Key: "l", Values: []string{"a"}})
			return err
		}),
		call("LPop", func(x context.Context) error {
			_, err := c.LPop(x, &pb.LPopRequest{UserId: u, OrganizationId: o, Key: "l"})
			return err
		}),
		call("RPop", func(x context.Context) error {
			_, err := c.RPop(x, &pb.RPopRequest{UserId: u, OrganizationId: o, Key: "l"})
			return err
		}),
		call("LRange", func(x context.Context) error {
			_, err := c.LRange(x, &pb.LRangeRequest{UserId: u, OrganizationId: o, Key: "l", Start: 0, Stop: -1})
			return err
		}),
		call("LLen", func(x context.Context) error {
			_, err := c.LLen(x, &pb.LLenRequest{UserId: u, OrganizationId: o, Key: "l"})
			return err
		}),
		call("LIndex", func(x context.Context) error {
			_, err := c.LIndex(x, &pb.LIndexRequest{UserId: u, OrganizationId: o, Key: "l", Index: 0})
			return err
		}),
		call("LTrim", func(x context.Context) error {
			_, err := c.LTrim(x, &pb.LTrimRequest{UserId: u, OrganizationId: o, Key: "l", Start: 0, Stop: -1})
			return err
		}),
		call("SAdd", func(x context.Context) error {
			_, err := c.SAdd(x, &pb.SAddRequest{UserId: u, OrganizationId: o, Key: "s", Members: []string{"m"}})
			return err
		}),
		call("SRemove", func(x context.Context) error {
			_, err := c.SRemove(x, &pb.SRemoveRequest{UserId: u, OrganizationId: o, Key: "s", Members: []string{"m"}})
			return err
		}),
		call("SMembers", func(x context.Context) error {
			_, err := c.SMembers(x, &pb.SMembersRequest{UserId: u, OrganizationId: o, Key: "s"})
			return err
		}),
		call("SIsMember", func(x context.Context) error {
			_, err := c.SIsMember(x, &pb.SIsMemberRequest{UserId: u, OrganizationId: o, Key: "s", Member: "m"})
			return err
		}),
		call("SCard", func(x context.Context) error {
			_, err := c.SCard(x, &pb.SCardRequest{UserId: u, OrganizationId: o, Key: "s"})
			return err
		}),
		call("SUnion", func(x context.Context) error {
			_, err := c.SUnion(x, &pb.SUnionRequest{UserId: u, OrganizationId: o, Keys: []string{"s", "s2"}})
			return err
		}),
		call("SInter", func(x context.Context) error {
			_, err := c.SInter(x, &pb.SInterRequest{UserId: u, OrganizationId: o, Keys: []string{"s", "s2"}})
			return err
		}),
		call("SDiff", func(x context.Context) error {
			_, err := c.SDiff(x, &pb.SDiffRequest{UserId: u, OrganizationId: o, Keys: []string{"s", "s2"}})
			return err
		}),
		call("ZAdd", func(x context.Context) error {
			_, err := c.ZAdd(x, &pb.ZAddRequest{UserId: u, OrganizationId: o, Key: "z", Members: []*pb.ZSetMember{{Member: "m", Score: 1}}})
			return err
		}),
		call("ZRemove", func(x context.Context) error {
			_, err := c.ZRemove(x, &pb.ZRemoveRequest{UserId: u, OrganizationId: o, Key: "z", Members: []string{"m"}})
			return err
		}),
		call("ZRange", func(x context.Context) error {
			_, err := c.ZRange(x, &pb.ZRangeRequest{UserId: u, OrganizationId: o, Key: "z", Start: 0, Stop: -1})
			return err
		}),
		call("ZRangeByScore", func(x context.Context) error {
			_, err := c.ZRangeByScore(x, &pb.ZRangeByScoreRequest{UserId: u, OrganizationId: o, Key: "z", MinScore: 0, MaxScore: 10})
			return err
		}),
		call("ZRank", func(x context.Context) error {
			_, err := c.ZRank(x, &pb.ZRankRequest{UserId: u, OrganizationId: o, Key: "z", Member: "m"})
			return err
		}),
		call("ZScore", func(x context.Context) error {
			_, err := c.ZScore(x, &pb.ZScoreRequest{UserId: u, OrganizationId: o, Key: "z", Member: "m"})
			return err
		}),
		call("ZCard", func(x context.Context) error {
			_, err := c.ZCard(x, &pb.ZCardRequest{UserId: u, OrganizationId: o, Key: "z"})
			return err
		}),
		call("ZIncrement", func(x context.Context) error {
			_, err := c.ZIncrement(x, &pb.ZIncrementRequest{UserId: u, OrganizationId: o, Key: "z2", Member: "m", Delta: 1})
			return err
		}),
		call("AcquireLock", func(x context.Context) error {
			_, err := c.AcquireLock(x, &pb.AcquireLockRequest{UserId: u, OrganizationId: o, LockKey: "lock", Ttl: ttl})
			return err
		}),
		call("ReleaseLock", func(x context.Context) error {
			_, err := c.ReleaseLock(x, &pb.ReleaseLockRequest{UserId: u, OrganizationId: o, LockKey: "lock", LockId: "id"})
			return err
		}),
		call("RenewLock", func(x context.Context) error {
			_, err := c.RenewLock(x, &pb.RenewLockRequest{UserId: u, OrganizationId: o, LockKey: "lock", LockId: "id", Ttl: ttl})
			return err
		}),
		call("Publish", func(x context.Context) error {
			_, err := c.Publish(x, &pb.PublishRequest{UserId: u, OrganizationId: o, Channel: "ch", Message: "intruder"})
			return err
		}),
		call("Subscribe", func(x context.Context) error {
			// A refusal arrives as the stream's status; an accepted
			// subscription would wait for messages, so the wait is
			// bounded and then fails the case.
			x, cancel := context.WithTimeout(x, 5*time.Second)
			defer cancel()
			st, err := c.Subscribe(x, &pb.SubscribeRequest{UserId: u, OrganizationId: o, Channels: []string{"ch"}})
			if err != nil {
				return err
			}
			_, err = st.Recv()
			return err
		}),
		call("Unsubscribe", func(x context.Context) error {
			_, err := c.Unsubscribe(x, &pb.UnsubscribeRequest{UserId: u, OrganizationId: o, Channels: []string{"ch"}})
			return err
		}),
		call("ExecuteBatch", func(x context.Context) error {
			_, err := c.ExecuteBatch(x, &pb.RedisBatchRequest{UserId: u, OrganizationId: o, Commands: []*pb.BatchCommand{
				{Operation: "SET", Key: "b", Value: "v"}, {Operation: "INCR", Key: "bn"}, {Operation: "HSET", Key: "bh", Value: "v"},
			}})
			return err
		}),
		call("CreateSession", func(x context.Context) error {
			_, err := c.CreateSession(x, &pb.CreateSessionRequest{UserId: u, OrganizationId: o, Data: map[string]string{"k": "v"}, Ttl: ttl})
			return err
		}),
		{rpc: "GetSession", userOnly: true, call: func(x context.Context) error {
			_, err := c.GetSession(x, &pb.GetSessionRequest{UserId: u, SessionId: "no-such-session"})
			return err
		}},
		{rpc: "UpdateSession", userOnly: true, call: func(x context.Context) error {
			_, err := c.UpdateSession(x, &pb.UpdateSessionRequest{UserId: u, SessionId: "no-such-session", Data: map[string]string{"k": "v"}})
			return err
		}},
		{rpc: "DeleteSession", userOnly: true, call: func(x context.Context) error {
			_, err := c.DeleteSession(x, &pb.DeleteSessionRequest{UserId: u, SessionId: "no-such-session"})
			return err
		}},
		call("ListSessions", func(x context.Context) error {
			_, err := c.ListSessions(x, &pb.ListSessionsRequest{UserId: u, OrganizationId: o})
			return err
		}),
		call("GetStatistics", func(x context.Context) error {
			_, err := c.GetStatistics(x, &pb.GetStatisticsRequest{UserId: u, OrganizationId: o})
			return err
		}),
		call("GetKeyInfo", func(x context.Context) error {
			_, err := c.GetKeyInfo(x, &pb.GetKeyInfoRequest{UserId: u, OrganizationId: o, Key: "k"})
			return err
		}),
	}
}

// wantRefused asserts err is INVALID_ARGUMENT naming every ambiguous id
// of ids (field name -> id) with each of its offending characters.
func wantRefused(t *testing.T, rpc string, err error, ids map[string]string) {
	t.Helper()
	wantCode(t, rpc, err, codes.InvalidArgument, "")
	msg := status.Convert(err).Message()
	for field, id := range ids {
		if !ambiguous(id) {
			continue
		}
		assert.Contains(t, msg, strconv.Quote(id), "%s: the message names the refused %s", rpc, field)
		for _, c := range id {
			if strings.ContainsRune(AmbiguousIDChars, c) {
				assert.Contains(t, msg, strconv.QuoteRune(c), "%s: the message names %s's character %q", rpc, field, c)
			}
		}
	}
}

// witnessSeesNothing asserts that w, a tenant the target accepts, finds
// no key, session, lock, message or statistic that another tenant's
// refused calls could have left.
func (s *suite) witnessSeesNothing(t *testing.T, w tenant, sub *subscription) {
	t.Helper()
	c := ctx(t)
	l, err := s.c.ListKeys(c, &pb.ListKeysRequest{UserId: w.User, OrganizationId: w.Org, Pattern: "*"})
	must(t, "ListKeys", err)
	assert.Empty(t, l.Keys, "%+v holds keys after refused calls", w)
	st, err := s.c.GetStatistics(c, &pb.GetStatisticsRequest{UserId: w.User, OrganizationId: w.Org})
	must(t, "GetStatistics", err)
	assert.Zero(t, st.TotalKeys, "%+v counts keys after refused calls", w)
	ls, err := s.c.ListSessions(c, &pb.ListSessionsRequest{UserId: w.User, OrganizationId: w.Org})
	must(t, "ListSessions", err)
	assert.Empty(t, ls.Sessions, "%+v has sessions after refused calls", w)
	a := s.acquire(t, w, "lock", time.Minute, 0)
	assert.True(t, a.Acquired, "%+v's lock is held after refused calls", w)
	// The first message after the refused Publish must be w's own.
	assert.Equal(t, int32(1), s.publish(t, w, "ch", "marker"))
	m, err := sub.Recv()
	require.NoError(t, err)
	assert.Equal(t, "marker", m.Message, "%+v received a message from a refused Publish", w)
}

// ambiguousIDsRejected: on a target that refuses ambiguous ids, every
// RPC refuses them and leaves nothing behind.
func ambiguousIDsRejected(t *testing.T, s *suite) {
	if !s.cfg.RejectsAmbiguousIDs {
		t.Skip("the target accepts every id: KeysDoNotCross and the other cases check that such tenants stay isolated")
	}
	for _, p := range hostilePairs(t) {
		var witnesses []tenant
		subs := map[tenant]*subscription{}
		for _, tn := range p {
			if !ambiguous(tn.User) && !ambiguous(tn.Org) {
				witnesses = append(witnesses, tn)
				subs[tn] = s.subscribe(t, tn, "ch")
			}
		}
		for _, tn := range p {
			if !ambiguous(tn.User) && !ambiguous(tn.Org) {
				continue
			}
			for _, rc := range s.everyRPC(tn) {
				ids := map[string]string{"user_id": tn.User, "organization_id": tn.Org}
				if rc.userOnly {
					if !ambiguous(tn.User) {
						continue // the request carries no organization: nothing to refuse
					}
					delete(ids, "organization_id")
				}
				wantRefused(t, rc.rpc, rc.call(ctx(t)), ids)
			}
		}
		for _, w := range witnesses {
			s.witnessSeesNothing(t, w, subs[w])
		}
	}
}
