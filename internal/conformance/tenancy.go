package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		{{Org: "o" + r, User: "*"}, {Org: "o" + r, User: "u"}},
		{{Org: "*", User: "u" + r}, {Org: "o", User: "u" + r}},
		{{Org: "[a-z]" + r, User: "?"}, {Org: "a" + r, User: "b"}},
		{{Org: "", User: "user-001" + r}, {Org: "org-001", User: "user-001" + r}},
	}
}

var tenancyCases = map[string]func(*testing.T, *suite){
	"KeysDoNotCross": func(t *testing.T, s *suite) {
		// The case existing clients' tests check.
		r := randomHex(t)
		a, b := tenant{Org: "org-001" + r, User: "user-001"}, tenant{Org: "org-002" + r, User: "user-002"}
		s.set(t, a, "shared", "a's")
		_, found := s.get(t, b, "shared")
		assert.False(t, found)

		for _, p := range hostilePairs(t) {
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
		for _, p := range hostilePairs(t) {
			x, y := p[0], p[1]
			s.subscribe(t, x, "ch")
			assert.Equal(t, int32(0), s.publish(t, y, "ch", "intruder"), "%+v reaches %+v's subscriber", y, x)
			_, err := s.c.Unsubscribe(ctx(t), &pb.UnsubscribeRequest{UserId: y.User, OrganizationId: y.Org, Channels: []string{"ch"}})
			must(t, "Unsubscribe", err)
			assert.Equal(t, int32(1), s.publish(t, x, "ch", "still subscribed"), "%+v's Unsubscribe ended %+v's subscription", y, x)
		}
	},
	"LocksDoNotCross": func(t *testing.T, s *suite) {
		for _, p := range hostilePairs(t) {
			x, y := p[0], p[1]
			ax := s.acquire(t, x, "lock", time.Minute, 0)
			require.True(t, ax.Acquired)
			ay := s.acquire(t, y, "lock", time.Minute, 0)
			assert.True(t, ay.Acquired, "%+v blocked by %+v's lock", y, x)
			assert.False(t, s.release(t, y, "lock", ax.LockId), "%+v released %+v's lock", y, x)
		}
	},
	"SessionsDoNotCross": func(t *testing.T, s *suite) {
		for _, p := range hostilePairs(t) {
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
