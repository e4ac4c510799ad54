package main

import (
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var respAddrLog = regexp.MustCompile(`"resp_addr":"([^"]+)"`)

// The binary serves RESP beside gRPC when asked, on the same engine, and
// requires the token as the AUTH password when one is configured.
func TestBinaryRESP(t *testing.T) {
	const token = "resp-secret"
	p := start(t, []string{"ISA_MEMSTORE_TOKEN=" + token}, "--addr", "127.0.0.1:0", "--resp-addr", "127.0.0.1:0", "--log-format", "json")
	// The log line is written before the "listening on" line, but stderr
	// is copied by another goroutine: wait for it.
	var m []string
	require.Eventually(t, func() bool {
		m = respAddrLog.FindStringSubmatch(p.stderr.String())
		return m != nil
	}, 30*time.Second, time.Millisecond, "no resp_addr in the logs")
	ctx := testCtx(t)

	anon := redis.NewClient(&redis.Options{Addr: m[1]})
	t.Cleanup(func() { _ = anon.Close() })
	assert.ErrorContains(t, anon.Get(ctx, "k").Err(), "NOAUTH")

	rdb := redis.NewClient(&redis.Options{Addr: m[1], Password: token})
	t.Cleanup(func() { _ = rdb.Close() })
	require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err())
	assert.Equal(t, "v", rdb.Get(ctx, "k").Val())

	assert.Equal(t, 0, p.stop(t, syscall.SIGTERM), "stderr:\n%s", p.stderr.String())
	assert.NotContains(t, p.stderr.String(), token)
}
