// Package testredis gives tests the address of a real, throwaway Redis to
// compare against, and skips them cleanly where none is configured, so plain
// `go test ./...` works on any machine while CI (.ci/run starts a redis-server)
// runs the differential tests for real.
package testredis

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// AddrEnv names the variable holding host:port of a throwaway redis-server.
const AddrEnv = "ISA_MEMSTORE_TEST_REDIS_ADDR"

// ClusterAddrsEnv names the variable holding the comma-separated host:port
// seeds of a throwaway Redis Cluster.
const ClusterAddrsEnv = "ISA_MEMSTORE_TEST_REDIS_CLUSTER_ADDRS"

// pingTimeout bounds the first contact: a configured but dead server must
// fail the test quickly rather than hang it until the go test timeout.
const pingTimeout = 5 * time.Second

// Addr returns the address of the test Redis, or skips the test when none is
// configured.
func Addr(t testing.TB) string {
	t.Helper()
	addr := strings.TrimSpace(os.Getenv(AddrEnv))
	if addr == "" {
		t.Skip("set " + AddrEnv + "=host:port (a throwaway redis-server; .ci/run starts one) to run tests against a real Redis")
	}
	return addr
}

// ClusterAddrs returns the seed addresses of the test Redis Cluster, or skips
// the test when none is configured.
func ClusterAddrs(t testing.TB) []string {
	t.Helper()
	var addrs []string
	for _, a := range strings.Split(os.Getenv(ClusterAddrsEnv), ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		t.Skip("set " + ClusterAddrsEnv + "=host:port,host:port,... (a throwaway Redis Cluster) to run tests against a real Redis Cluster")
	}
	return addrs
}

// Client connects to the test Redis, selects db, empties it and closes the
// connection when the test ends. It skips when no Redis is configured and
// fails (not skips) when one is configured but does not answer, because then
// the environment is broken and silence would hide it.
//
// Tests sharing a db must not run in parallel with each other: each call
// flushes the db it is given.
func Client(t testing.TB, db int) *redis.Client {
	t.Helper()
	addr := Addr(t)
	c := redis.NewClient(&redis.Options{
		Addr:        addr,
		DB:          db,
		DialTimeout: pingTimeout,
		// A test needs few connections; a small pool keeps a parallel
		// `go test ./...` from exhausting the server's maxclients.
		PoolSize: 4,
	})
	t.Cleanup(func() { _ = c.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("testredis: %s=%s is set but PING failed: %v", AddrEnv, addr, err)
	}
	if err := c.FlushDB(ctx).Err(); err != nil {
		t.Fatalf("testredis: FLUSHDB on db %d of %s: %v", db, addr, err)
	}
	return c
}
