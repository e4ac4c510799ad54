package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/isa-cloud/isa-memstore/grpcserver/redisbackend"
	"github.com/isa-cloud/isa-memstore/internal/conformance"
	"github.com/isa-cloud/isa-memstore/internal/testredis"
)

func TestBackendFlags(t *testing.T) {
	c, err := parseConfig(nil, env(nil), &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, backendEngine, c.backend, "the embedded engine is the default")

	c, err = parseConfig([]string{"--backend=redis", "--redis-addrs", " a:1, b:2 ,", "--redis-db=3"}, env(nil), &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a:1", "b:2"}, c.redis.addrList())
	assert.Equal(t, 3, c.redis.db)
	o, err := c.redis.options(slog.Default())
	require.NoError(t, err)
	assert.Equal(t, redisbackend.IDsReject, o.IDs, "ambiguous ids are refused by default (spec 5.1)")

	c, err = parseConfig([]string{"--backend=redis", "--redis-addrs=a:1", "--redis-ids=escape"}, env(nil), &bytes.Buffer{})
	require.NoError(t, err)
	o, err = c.redis.options(slog.Default())
	require.NoError(t, err)
	assert.Equal(t, redisbackend.IDsEscape, o.IDs, "escaping is opt-in")

	c, err = parseConfig(nil, env(map[string]string{
		"ISA_MEMSTORE_BACKEND": "redis", "ISA_MEMSTORE_REDIS_ADDRS": "r:6379", "ISA_MEMSTORE_REDIS_PASSWORD": "pw",
		"ISA_MEMSTORE_REDIS_MASTER_NAME": "mymaster", "ISA_MEMSTORE_REDIS_TLS": "true",
	}), &bytes.Buffer{})
	require.NoError(t, err, "every flag has its env")
	o, err = c.redis.options(slog.Default())
	require.NoError(t, err)
	assert.Equal(t, []string{"r:6379"}, o.Addrs)
	assert.Equal(t, "pw", o.Password)
	assert.Equal(t, "mymaster", o.MasterName)
	require.NotNil(t, o.TLS)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--backend=memcached"}, "want engine or redis"},
		{[]string{"--backend=redis"}, "--backend redis needs --redis-addrs"},
		{[]string{"--redis-addrs=a:1"}, "--redis-addrs needs --backend redis"},
		{[]string{"--backend=redis", "--redis-addrs=a:1", "--redis-password=x", "--redis-password-file=f"}, "not both"},
		{[]string{"--backend=redis", "--redis-addrs=a:1", "--redis-ids=ignore"}, "--redis-ids must be reject or escape"},
		{[]string{"--backend=redis", "--redis-addrs=a:1", "--redis-db=-1"}, "--redis-db must not be negative"},
		{[]string{"--backend=redis", "--redis-addrs=a:1", "--max-memory=10"}, "set Redis's maxmemory instead"},
		{[]string{"--backend=redis", "--redis-addrs=a:1", "--redis-dial-timeout=0s"}, "must be positive"},
	} {
		_, err := parseConfig(tc.args, env(nil), &bytes.Buffer{})
		assert.ErrorContains(t, err, tc.want, "args %v", tc.args)
	}
}

func TestRedisOptionsFiles(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pw, []byte("s3cret\n"), 0o600))
	r := redisConfig{addrs: "a:1", passwordFile: pw}
	o, err := r.options(slog.Default())
	require.NoError(t, err)
	assert.Equal(t, "s3cret", o.Password)
	assert.Nil(t, o.TLS)

	bad := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(bad, []byte("not a certificate"), 0o600))
	_, err = (&redisConfig{addrs: "a:1", tlsCA: bad}).options(slog.Default())
	assert.ErrorContains(t, err, "holds no PEM certificate")
	_, err = (&redisConfig{addrs: "a:1", tlsCA: filepath.Join(dir, "missing")}).options(slog.Default())
	assert.ErrorContains(t, err, "reading --redis-tls-ca")
	_, err = (&redisConfig{addrs: "a:1", passwordFile: filepath.Join(dir, "missing")}).options(slog.Default())
	assert.ErrorContains(t, err, "reading --redis-password-file")
}

// TestBinaryRedisUnreachable: start-up fails, clearly and in bounded time,
// when Redis does not answer.
func TestBinaryRedisUnreachable(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := lis.Addr().String()
	require.NoError(t, lis.Close())
	_, stderr, code := runBinary(t, nil, "--addr", "127.0.0.1:0", "--backend", "redis", "--redis-addrs", addr, "--redis-dial-timeout", "1s")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "Redis at "+addr+" does not answer")
}

// TestBinaryRedisConformance runs the black-box suite against the binary
// with its data in Redis: standalone, then a cluster.
func TestBinaryRedisConformance(t *testing.T) {
	t.Run("standalone", func(t *testing.T) {
		addr := testredis.Addr(t)
		p := start(t, []string{"ISA_MEMSTORE_REDIS_PASSWORD=never-logged"}, "--addr", "127.0.0.1:0", "--log-format", "json",
			"--backend", "redis", "--redis-addrs", addr, "--redis-db", "12")
		conformance.RunWith(t, p.addr, conformance.Config{RejectsAmbiguousIDs: true})
		assert.Equal(t, 0, p.stop(t, syscall.SIGTERM), "stderr:\n%s", p.stderr.String())
		logs := p.stderr.String()
		assert.Contains(t, logs, `"backend":"redis"`)
		assert.Contains(t, logs, `"redis_mode":"standalone"`)
		assert.NotContains(t, logs, "never-logged", "the password is never printed")
	})
	t.Run("cluster", func(t *testing.T) {
		addrs := testredis.ClusterAddrs(t)
		p := start(t, nil, "--addr", "127.0.0.1:0", "--log-format", "json", "--log-level", "info",
			"--backend", "redis", "--redis-addrs", strings.Join(addrs, ","))
		conformance.RunWith(t, p.addr, conformance.Config{RejectsAmbiguousIDs: true})
		assert.Equal(t, 0, p.stop(t, syscall.SIGTERM), "stderr:\n%s", p.stderr.String())
		assert.Contains(t, p.stderr.String(), `"redis_mode":"cluster"`)
	})
}

// TestBinaryRedisOutage: the binary's health follows Redis: NOT_SERVING
// while it is gone, SERVING again once it is back, without a restart.
func TestBinaryRedisOutage(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed: this test starts and stops its own")
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := lis.Addr().(*net.TCPAddr).Port
	require.NoError(t, lis.Close())
	startRedis := func() *exec.Cmd {
		cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no", "--dir", t.TempDir())
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd
	}
	status := func(c healthpb.HealthClient) healthpb.HealthCheckResponse_ServingStatus {
		r, err := c.Check(testCtx(t), &healthpb.HealthCheckRequest{Service: "redis-service"})
		if err != nil {
			return healthpb.HealthCheckResponse_UNKNOWN
		}
		return r.Status
	}
	rs := startRedis()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, 10*time.Second, 10*time.Millisecond)

	p := start(t, nil, "--addr", "127.0.0.1:0", "--backend", "redis", "--redis-addrs", addr, "--redis-dial-timeout", "1s")
	hc := healthpb.NewHealthClient(dial(t, p.addr))
	assert.Equal(t, healthpb.HealthCheckResponse_SERVING, status(hc))

	require.NoError(t, rs.Process.Kill())
	_ = rs.Wait()
	require.Eventually(t, func() bool { return status(hc) == healthpb.HealthCheckResponse_NOT_SERVING },
		20*time.Second, 20*time.Millisecond, "health follows Redis down")
	startRedis()
	require.Eventually(t, func() bool { return status(hc) == healthpb.HealthCheckResponse_SERVING },
		20*time.Second, 20*time.Millisecond, "and back up, without a restart")
	assert.Equal(t, 0, p.stop(t, syscall.SIGTERM), "stderr:\n%s", p.stderr.String())
}

// TestBinaryRedisRebuildRegistry: --redis-rebuild-registry records keys
// other programs wrote, then exits without serving.
func TestBinaryRedisRebuildRegistry(t *testing.T) {
	addr := testredis.Addr(t)
	ctx := testCtx(t)
	c := redis.NewClient(&redis.Options{Addr: addr, DB: 12})
	t.Cleanup(func() { _ = c.Close() })
	user := fmt.Sprintf("rebuild-%d", time.Now().UnixNano())
	require.NoError(t, c.Set(ctx, "user-"+user+":legacy", "v", time.Hour).Err())

	stdout, stderr, code := runBinary(t, nil, "--backend", "redis", "--redis-addrs", addr, "--redis-db", "12", "--redis-rebuild-registry")
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Regexp(t, `^isa-memstore: recorded \d+ keys in the key registries in `, stdout)
	at, err := c.ZScore(ctx, "isa-memstore:keys:{user-"+user+"}:string", "legacy").Result()
	require.NoError(t, err, "the legacy key is registered")
	exp, err := c.PExpireTime(ctx, "user-"+user+":legacy").Result()
	require.NoError(t, err)
	assert.Equal(t, float64(exp.Milliseconds()), at, "with its deadline")

	_, err = parseConfig([]string{"--redis-rebuild-registry"}, env(nil), &bytes.Buffer{})
	assert.ErrorContains(t, err, "--redis-rebuild-registry needs --backend redis")
}
