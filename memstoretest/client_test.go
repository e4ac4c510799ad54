package memstoretest

// End-to-end tests of package client against the real server, through
// memstoretest (client's own tests may not import memstoretest; they use a
// scripted fake for the wire mapping). Every client operation runs over
// TCP and over bufconn.

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/isa-cloud/isa-memstore/client"
	"github.com/isa-cloud/isa-memstore/engine"
	"github.com/isa-cloud/isa-memstore/grpcserver"
)

// transports runs fn against a fresh server over each transport.
func transports(t *testing.T, fn func(t *testing.T, s *Server)) {
	for _, tc := range []struct {
		name string
		opts []Option
	}{{"tcp", nil}, {"bufconn", []Option{WithBufconn()}}} {
		t.Run(tc.name, func(t *testing.T) { fn(t, Start(t, tc.opts...)) })
	}
}

// must fails the test on err, or skips it when the server does not offer
// the RPC yet.
func must(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, client.ErrUnimplemented) {
		t.Skipf("SKIPPED: the server does not implement this RPC yet: %v", err)
	}
	require.NoError(t, err)
}

func TestClientStrings(t *testing.T) {
	transports(t, func(t *testing.T, s *Server) {
		c, ctx := s.Client, testCtx(t)
		must(t, c.Set(ctx, "greeting", "Hello"))
		v, err := c.Get(ctx, "greeting")
		must(t, err)
		assert.Equal(t, "Hello", v)
		_, err = c.Get(ctx, "missing")
		assert.ErrorIs(t, err, client.Nil)

		n, err := c.Append(ctx, "greeting", " World")
		must(t, err)
		assert.Equal(t, int64(11), n)
		s.CheckGet(t, "greeting", "Hello World")

		must(t, c.Set(ctx, "empty", ""))
		v, err = c.Get(ctx, "empty")
		must(t, err)
		assert.Equal(t, "", v, "an empty value is found, not Nil")

		i, err := c.Incr(ctx, "n")
		must(t, err)
		assert.Equal(t, int64(1), i)
		i, err = c.IncrBy(ctx, "n", 5)
		must(t, err)
		assert.Equal(t, int64(6), i)
		i, err = c.DecrBy(ctx, "n", 2)
		must(t, err)
		assert.Equal(t, int64(4), i)
		i, err = c.Decr(ctx, "n")
		must(t, err)
		assert.Equal(t, int64(3), i)

		_, err = c.Incr(ctx, "greeting")
		assert.ErrorIs(t, err, client.ErrNotInteger)
		assert.Equal(t, codes.InvalidArgument, status.Code(err))
		must(t, c.Set(ctx, "big", "9223372036854775807"))
		_, err = c.Incr(ctx, "big")
		assert.ErrorIs(t, err, client.ErrOverflow)

		must(t, c.SetTTL(ctx, "session", "x", 2*time.Second))
		s.CheckTTL(t, "session", 2*time.Second)
		s.Advance(1500 * time.Millisecond)
		v, err = c.Get(ctx, "session")
		must(t, err)
		assert.Equal(t, "x", v, "sub-second TTLs keep millisecond precision")
		s.Advance(500 * time.Millisecond)
		_, err = c.Get(ctx, "session")
		assert.ErrorIs(t, err, client.Nil)
		assert.ErrorIs(t, c.SetTTL(ctx, "neg", "x", -time.Second), client.ErrInvalidArgument)
		must(t, c.SetTTL(ctx, "zero", "x", 0))
		s.CheckTTL(t, "zero", client.NoExpiration)

		got, err := c.MGet(ctx, "greeting", "missing", "empty")
		must(t, err)
		assert.Equal(t, map[string]string{"greeting": "Hello World", "empty": ""}, got)

		// GetMany over several chunks, seeded straight into the engine.
		keys := make([]string, 2*client.GetManyChunk+10)
		want := map[string]string{}
		for i := range keys {
			keys[i] = fmt.Sprintf("many:%d", i)
			if i%3 == 0 {
				want[keys[i]] = fmt.Sprint(i)
				_, err := s.ClientDB().Set(keys[i], want[keys[i]], engine.SetOptions{})
				require.NoError(t, err)
			}
		}
		got, err = c.GetMany(ctx, keys)
		must(t, err)
		assert.Equal(t, want, got)

		must(t, c.MSet(ctx, map[string]string{"m1": "a", "m2": "b"}))
		s.CheckGet(t, "m1", "a")
		s.CheckGet(t, "m2", "b")
	})
}

func TestClientKeys(t *testing.T) {
	transports(t, func(t *testing.T, s *Server) {
		c, ctx := s.Client, testCtx(t)
		for _, k := range []string{"test:key1", "test:key2", "test:key3", "other"} {
			must(t, c.Set(ctx, k, "v"))
		}
		ok, err := c.Exists(ctx, "test:key1")
		must(t, err)
		assert.True(t, ok)

		keys, total, err := c.ListKeys(ctx, "test:key*", 2)
		must(t, err)
		assert.Equal(t, []string{"test:key1", "test:key2"}, keys, "sorted, unprefixed, truncated")
		assert.Equal(t, 3, total, "counted before truncation")

		must(t, c.Rename(ctx, "test:key3", "renamed"))
		s.CheckExists(t, "test:key3", false)
		s.CheckExists(t, "renamed", true)
		assert.ErrorIs(t, c.Rename(ctx, "missing", "x"), client.ErrNoSuchKey)

		ok, err = c.Expire(ctx, "renamed", 10*time.Second)
		must(t, err)
		assert.True(t, ok)
		ttl, err := c.TTL(ctx, "renamed")
		must(t, err)
		assert.Equal(t, 10*time.Second, ttl)
		ok, err = c.Expire(ctx, "missing", time.Second)
		must(t, err)
		assert.False(t, ok)
		_, err = c.TTL(ctx, "missing")
		assert.ErrorIs(t, err, client.Nil)
		ok, err = c.Expire(ctx, "renamed", 0)
		must(t, err)
		assert.True(t, ok)
		s.CheckExists(t, "renamed", false)

		n, err := c.Del(ctx, "test:key1")
		must(t, err)
		assert.Equal(t, 1, n)
		n, err = c.Del(ctx, "test:key1")
		must(t, err)
		assert.Equal(t, 0, n)
		keys, _, err = c.ListKeys(ctx, "", 0)
		must(t, err)
		n, err = c.Del(ctx, keys...)
		must(t, err)
		assert.Equal(t, 2, n, "the listed keys round-trip through Del")
	})
}

func TestClientHashes(t *testing.T) {
	transports(t, func(t *testing.T, s *Server) {
		c, ctx := s.Client, testCtx(t)
		n, err := c.HSet(ctx, "h", map[string]string{"a": "1", "b": "2"})
		must(t, err)
		assert.Equal(t, 2, n)
		n, err = c.HSet(ctx, "h", map[string]string{"a": "x", "counter": "10"})
		must(t, err)
		assert.Equal(t, 1, n, "only new fields count")
		v, err := c.HGet(ctx, "h", "a")
		must(t, err)
		assert.Equal(t, "x", v)
		_, err = c.HGet(ctx, "h", "missing")
		assert.ErrorIs(t, err, client.Nil)
		s.CheckHash(t, "h", map[string]string{"a": "x", "b": "2", "counter": "10"})
		ok, err := c.HExists(ctx, "h", "b")
		must(t, err)
		assert.True(t, ok)
		ks, err := c.HKeys(ctx, "h")
		must(t, err)
		assert.ElementsMatch(t, []string{"a", "b", "counter"}, ks)
		vs, err := c.HVals(ctx, "h")
		must(t, err)
		assert.ElementsMatch(t, []string{"x", "2", "10"}, vs)
		i, err := c.HIncrBy(ctx, "h", "counter", 5)
		must(t, err)
		assert.Equal(t, int64(15), i)
		n, err = c.HDel(ctx, "h", "a", "b", "missing")
		must(t, err)
		assert.Equal(t, 2, n)
		all, err := c.HGetAll(ctx, "missing")
		must(t, err)
		assert.Empty(t, all)

		must(t, c.Set(ctx, "str", "v"))
		_, err = c.HGet(ctx, "str", "a")
		assert.ErrorIs(t, err, client.ErrWrongType)
		_, err = c.Get(ctx, "h")
		assert.ErrorIs(t, err, client.ErrWrongType)
		assert.Equal(t, codes.FailedPrecondition, status.Code(err))
	})
}

func TestClientLists(t *testing.T) {
	transports(t, func(t *testing.T, s *Server) {
		c, ctx := s.Client, testCtx(t)
		n, err := c.RPush(ctx, "l", "a", "b", "c", "d", "e")
		must(t, err)
		assert.Equal(t, 5, n)
		v, err := c.LIndex(ctx, "l", 2)
		must(t, err)
		assert.Equal(t, "c", v)
		_, err = c.LIndex(ctx, "l", 99)
		assert.ErrorIs(t, err, client.Nil)
		v, err = c.LPop(ctx, "l")
		must(t, err)
		assert.Equal(t, "a", v)
		v, err = c.RPop(ctx, "l")
		must(t, err)
		assert.Equal(t, "e", v)
		r, err := c.LRange(ctx, "l", 0, -1)
		must(t, err)
		assert.Equal(t, []string{"b", "c", "d"}, r)
		must(t, c.LTrim(ctx, "l", 0, 1))
		n, err = c.LLen(ctx, "l")
		must(t, err)
		assert.Equal(t, 2, n)
		s.CheckList(t, "l", []string{"b", "c"})

		n, err = c.LPush(ctx, "l2", "x", "y")
		must(t, err)
		assert.Equal(t, 2, n)
		s.CheckList(t, "l2", []string{"y", "x"})
		for range 2 {
			_, err = c.RPop(ctx, "l2")
			must(t, err)
		}
		_, err = c.LPop(ctx, "l2")
		assert.ErrorIs(t, err, client.Nil, "an emptied list is gone")
		s.CheckExists(t, "l2", false)
	})
}

func TestClientSets(t *testing.T) {
	transports(t, func(t *testing.T, s *Server) {
		c, ctx := s.Client, testCtx(t)
		n, err := c.SAdd(ctx, "s1", "a", "b", "c")
		must(t, err)
		assert.Equal(t, 3, n)
		_, err = c.SAdd(ctx, "s2", "b", "c", "d")
		must(t, err)
		u, err := c.SUnion(ctx, "s1", "s2")
		must(t, err)
		assert.ElementsMatch(t, []string{"a", "b", "c", "d"}, u)
		in, err := c.SInter(ctx, "s1", "s2")
		must(t, err)
		assert.ElementsMatch(t, []string{"b", "c"}, in)
		d, err := c.SDiff(ctx, "s1", "s2")
		must(t, err)
		assert.Equal(t, []string{"a"}, d)
		ok, err := c.SIsMember(ctx, "s1", "a")
		must(t, err)
		assert.True(t, ok)
		n, err = c.SRem(ctx, "s1", "a")
		must(t, err)
		assert.Equal(t, 1, n)
		n, err = c.SCard(ctx, "s1")
		must(t, err)
		assert.Equal(t, 2, n)
		m, err := c.SMembers(ctx, "s1")
		must(t, err)
		assert.ElementsMatch(t, []string{"b", "c"}, m)
		s.CheckSet(t, "s1", []string{"c", "b"})
	})
}

func TestClientSortedSets(t *testing.T) {
	transports(t, func(t *testing.T, s *Server) {
		c, ctx := s.Client, testCtx(t)
		n, err := c.ZAdd(ctx, "z", client.Z{Member: "player1", Score: 100}, client.Z{Member: "player2", Score: 200}, client.Z{Member: "player3", Score: 150})
		must(t, err)
		assert.Equal(t, 3, n)
		n, err = c.ZCard(ctx, "z")
		must(t, err)
		assert.Equal(t, 3, n)
		sc, err := c.ZScore(ctx, "z", "player2")
		must(t, err)
		assert.Equal(t, 200.0, sc)
		_, err = c.ZScore(ctx, "z", "nobody")
		assert.ErrorIs(t, err, client.Nil)
		rank, err := c.ZRank(ctx, "z", "player2")
		must(t, err)
		assert.Equal(t, 2, rank)
		_, err = c.ZRank(ctx, "z", "nobody")
		assert.ErrorIs(t, err, client.Nil)
		byScore, err := c.ZRangeByScore(ctx, "z", 100, 180, 0, 0)
		must(t, err)
		assert.Equal(t, []client.Z{{Member: "player1", Score: 100}, {Member: "player3", Score: 150}}, byScore)
		page, err := c.ZRangeByScore(ctx, "z", 0, 1000, 1, 1)
		must(t, err)
		assert.Equal(t, []client.Z{{Member: "player3", Score: 150}}, page)
		members, err := c.ZRange(ctx, "z", 0, -1)
		must(t, err)
		assert.Equal(t, []string{"player1", "player3", "player2"}, members)
		ws, err := c.ZRangeWithScores(ctx, "z", -1, -1)
		must(t, err)
		assert.Equal(t, []client.Z{{Member: "player2", Score: 200}}, ws)
		inc, err := c.ZIncrBy(ctx, "z", "player1", 50)
		must(t, err)
		assert.Equal(t, 150.0, inc)
		n, err = c.ZRem(ctx, "z", "player3")
		must(t, err)
		assert.Equal(t, 1, n)
		s.CheckZSet(t, "z", []client.Z{{Member: "player1", Score: 150}, {Member: "player2", Score: 200}})
	})
}

func TestClientBatch(t *testing.T) {
	transports(t, func(t *testing.T, s *Server) {
		c, ctx := s.Client, testCtx(t)
		n, err := c.ExecuteBatch(ctx,
			client.BatchCommand{Op: "SET", Key: "a", Value: "1"},
			client.BatchCommand{Op: "set", Key: "b", Value: "2", TTL: 300 * time.Second},
			client.BatchCommand{Op: "GET", Key: "a"},
			client.BatchCommand{Op: "INCR", Key: "a"},
			client.BatchCommand{Op: "GET", Key: "missing"})
		must(t, err)
		assert.Equal(t, 5, n)
		s.CheckGet(t, "a", "2")
		s.CheckTTL(t, "b", 300*time.Second)

		_, err = c.HSet(ctx, "h", map[string]string{"f": "v"})
		must(t, err)
		n, err = c.ExecuteBatch(ctx,
			client.BatchCommand{Op: "SET", Key: "c", Value: "3"},
			client.BatchCommand{Op: "INCR", Key: "h"},
			client.BatchCommand{Op: "FROB", Key: "x"})
		var be *client.BatchError
		require.ErrorAs(t, err, &be)
		assert.Equal(t, 1, n)
		require.Len(t, be.Failed, 2)
		assert.Equal(t, 1, be.Failed[0].Index)
		assert.ErrorIs(t, be.Failed[0], client.ErrWrongType)
		assert.Equal(t, 2, be.Failed[1].Index)
		s.CheckGet(t, "c", "3")
	})
}

func TestClientLocks(t *testing.T) {
	transports(t, func(t *testing.T, s *Server) {
		c, ctx := s.Client, testCtx(t)
		l, err := c.AcquireLock(ctx, "job", 10*time.Second, 0)
		must(t, err)
		assert.NotEmpty(t, l.ID)
		assert.WithinDuration(t, s.Clock.Now().Add(10*time.Second), l.ExpiresAt, time.Millisecond, "server time: the manual clock")
		_, err = c.AcquireLock(ctx, "job", 10*time.Second, 0)
		assert.ErrorIs(t, err, client.ErrLockNotAcquired)
		must(t, c.Set(ctx, "job", "a key of the same name is unrelated"))
		must(t, l.Renew(ctx, 20*time.Second))
		_, err = c.RenewLock(ctx, "job", "wrong-id", time.Second)
		assert.ErrorIs(t, err, client.ErrLockNotHeld)
		assert.ErrorIs(t, c.ReleaseLock(ctx, "job", "wrong-id"), client.ErrLockNotHeld)
		must(t, l.Release(ctx))
		assert.ErrorIs(t, l.Release(ctx), client.ErrLockNotHeld)
		l2, err := c.AcquireLock(ctx, "job", 10*time.Second, 0)
		must(t, err)
		assert.NotEqual(t, l.ID, l2.ID)
		s.Advance(10 * time.Second)
		_, err = c.AcquireLock(ctx, "job", time.Second, 0)
		must(t, err) // the expired lock is free
	})
}

func TestClientPubSub(t *testing.T) {
	transports(t, func(t *testing.T, s *Server) {
		c, ctx := s.Client, testCtx(t)
		sub, err := c.Subscribe(ctx, "news", "sport")
		must(t, err)
		defer sub.Close()
		for i := range 20 {
			n, err := c.Publish(ctx, []string{"news", "sport"}[i%2], fmt.Sprint(i))
			must(t, err)
			assert.Equal(t, 1, n)
		}
		for i := range 20 {
			m := <-sub.C()
			assert.Equal(t, fmt.Sprint(i), m.Payload, "in publish order")
			assert.Equal(t, []string{"news", "sport"}[i%2], m.Channel)
			assert.False(t, m.Time.IsZero())
		}
		n, err := s.NewClient(t, client.WithUser("someone-else")).Publish(ctx, "news", "x")
		must(t, err)
		assert.Zero(t, n, "channels are per tenant")

		ok, err := c.Unsubscribe(ctx, "news", "sport")
		must(t, err)
		assert.True(t, ok)
		<-sub.Done()
		assert.ErrorIs(t, sub.Err(), client.ErrSubscriptionEnded, "no channel left")
	})
}

func TestClientSubscriptionEnds(t *testing.T) {
	t.Run("Close", func(t *testing.T) {
		s := Start(t)
		sub, err := s.Client.Subscribe(testCtx(t), "ch")
		must(t, err)
		require.NoError(t, sub.Close())
		_, open := <-sub.C()
		assert.False(t, open)
		assert.NoError(t, sub.Err())
		// The server learns of the cancellation asynchronously.
		assert.Eventually(t, func() bool {
			n, err := s.Client.Publish(testCtx(t), "ch", "x")
			return err == nil && n == 0
		}, 5*time.Second, time.Millisecond, "the server drops the subscriber")
	})
	t.Run("server shutdown", func(t *testing.T) {
		s := Start(t)
		sub, err := s.Client.Subscribe(testCtx(t), "ch")
		must(t, err)
		require.NoError(t, s.Stop())
		<-sub.Done()
		assert.Error(t, sub.Err(), "a shutdown is reported, not silent")
		assert.True(t, errors.Is(sub.Err(), client.ErrSubscriptionEnded) || errors.Is(sub.Err(), client.ErrUnavailable), "%v", sub.Err())
	})
}

func TestClientSlowSubscriber(t *testing.T) {
	s := Start(t, WithEngineOptions(engine.Options{PubSubBuffer: 4}), WithClientOptions(client.WithGzip(false)))
	ctx := testCtx(t)
	slow := s.NewClient(t, client.WithSubscriptionBuffer(1))
	sub, err := slow.Subscribe(ctx, "firehose")
	must(t, err)
	defer sub.Close()
	// Incompressible messages fill the transport's flow-control windows,
	// then the server's buffer; the subscriber never reads.
	payload := make([]byte, 64<<10)
	sent := 0
	for ; sent < 1000; sent++ {
		_, _ = rand.Read(payload)
		n, err := s.Client.Publish(ctx, "firehose", hex.EncodeToString(payload))
		must(t, err)
		if n == 0 {
			break // dropped: publishers never wait for it
		}
	}
	require.Less(t, sent, 1000, "the slow subscriber was never dropped")
	t.Logf("dropped after %d messages", sent)
	for range sub.C() {
	}
	assert.ErrorIs(t, sub.Err(), client.ErrResourceExhausted)
}

func TestClientSessions(t *testing.T) {
	transports(t, func(t *testing.T, s *Server) {
		c, ctx := s.Client, testCtx(t)
		id, exp, err := c.CreateSession(ctx, map[string]string{"cart": "3"}, time.Hour)
		must(t, err)
		assert.GreaterOrEqual(t, len(id), 16)
		assert.Equal(t, s.Clock.Now().Add(time.Hour).Unix(), exp.Unix())
		sess, err := c.GetSession(ctx, id)
		must(t, err)
		assert.Equal(t, id, sess.ID)
		assert.Equal(t, User, sess.UserID)
		assert.Equal(t, "3", sess.Data["cart"])
		assert.Contains(t, sess.Data, "created_at")

		ok, err := c.UpdateSession(ctx, id, map[string]string{"step": "pay"}, false)
		must(t, err)
		assert.True(t, ok)
		sess, err = c.GetSession(ctx, id)
		must(t, err)
		assert.Equal(t, "pay", sess.Data["step"])
		assert.Equal(t, "3", sess.Data["cart"], "data is merged")

		list, err := c.ListSessions(ctx)
		must(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, id, list[0].ID)

		_, err = s.NewClient(t, client.WithUser("intruder")).GetSession(ctx, id)
		assert.ErrorIs(t, err, client.Nil, "another user never sees it")

		ok, err = c.DeleteSession(ctx, id)
		must(t, err)
		assert.True(t, ok)
		_, err = c.GetSession(ctx, id)
		assert.ErrorIs(t, err, client.Nil)
		ok, err = c.UpdateSession(ctx, id, nil, true)
		must(t, err)
		assert.False(t, ok)
	})
}

func TestClientInfo(t *testing.T) {
	transports(t, func(t *testing.T, s *Server) {
		c, ctx := s.Client, testCtx(t)
		must(t, c.SetTTL(ctx, "k", "value", time.Minute))
		_, err := c.HSet(ctx, "h", map[string]string{"a": "1"})
		must(t, err)
		info, err := c.KeyInfo(ctx, "k")
		must(t, err)
		assert.Equal(t, client.TypeString, info.Type)
		assert.Equal(t, time.Minute, info.TTL)
		assert.Positive(t, info.SizeBytes)
		_, err = c.KeyInfo(ctx, "missing")
		assert.ErrorIs(t, err, client.Nil)

		st, err := c.Statistics(ctx)
		must(t, err)
		assert.Equal(t, int64(2), st.TotalKeys)
		assert.Equal(t, int64(1), st.KeyTypes["string"])
		assert.Equal(t, int64(1), st.KeyTypes["hash"])

		h, err := c.HealthCheck(ctx, true)
		must(t, err)
		assert.True(t, h.Healthy)
		assert.Equal(t, "healthy", h.Status)
	})
}

func TestClientTenancyAndIdentity(t *testing.T) {
	s := Start(t)
	ctx := testCtx(t)
	a := s.Client.ForTenant("user-001", "org-001")
	b := s.Client.ForTenant("user-002", "org-002")
	must(t, a.Set(ctx, "secret", "a's"))
	_, err := b.Get(ctx, "secret")
	assert.ErrorIs(t, err, client.Nil, "tenants are isolated")
	_, err = s.Client.ForTenant("", "").Get(ctx, "secret")
	assert.ErrorIs(t, err, client.ErrPermissionDenied)
	assert.Equal(t, codes.PermissionDenied, status.Code(err))
}

func TestClientBearerToken(t *testing.T) {
	s := Start(t, WithServerOptions(grpcserver.Options{Token: "s3cret"}))
	ctx := testCtx(t)
	assert.ErrorIs(t, s.Client.Set(ctx, "k", "v"), client.ErrUnauthenticated)
	ok := s.NewClient(t, client.WithInsecureBearerToken("s3cret"))
	must(t, ok.Set(ctx, "k", "v"))
	wrong := s.NewClient(t, client.WithInsecureBearerToken("nope"))
	assert.ErrorIs(t, wrong.Set(ctx, "k", "v"), client.ErrUnauthenticated)
}

func TestClientGzipOff(t *testing.T) {
	s := Start(t, WithClientOptions(client.WithGzip(false)))
	ctx := testCtx(t)
	want := map[string]string{"a": strings.Repeat("x", 1<<16), "b": "y"}
	for k, v := range want {
		must(t, s.Client.Set(ctx, k, v))
	}
	got, err := s.Client.MGet(ctx, "a", "b")
	must(t, err)
	assert.Equal(t, want, got)
}
