package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseConfigDefaults(t *testing.T) {
	c, err := parseConfig(nil, env(nil), &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, ":50055", c.addr)
	assert.Equal(t, "text", c.logFormat)
	assert.Equal(t, slog.LevelInfo, c.logLevel)
	assert.Equal(t, 10<<20, c.maxMessageBytes)
	assert.Equal(t, 1000, c.limits.ListKeysDefault)
	assert.Equal(t, 10*time.Second, c.shutdownTimeout)
	assert.Equal(t, "redis-grpc-service", c.consulService)
	assert.Empty(t, c.consulAddr)
}

func TestParseConfigEnvAndFlags(t *testing.T) {
	e := env(map[string]string{
		"ISA_MEMSTORE_ADDR":           "127.0.0.1:7000",
		"ISA_MEMSTORE_LOG_FORMAT":     "json",
		"ISA_MEMSTORE_LOG_LEVEL":      "DEBUG",
		"ISA_MEMSTORE_MAX_KEY_BYTES":  "100",
		"ISA_MEMSTORE_TOKEN":          "t0k",
		"ISA_MEMSTORE_CONSUL_ADDR":    "consul:8500",
		"ISA_MEMSTORE_RESP_BUSY_POLL": "20us",
		"ISA_CLOUD_REDIS_GRPC_PORT":   "9999", // ignored: ISA_MEMSTORE_ADDR is set
	})
	c, err := parseConfig(nil, e, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:7000", c.addr)
	assert.Equal(t, "json", c.logFormat)
	assert.Equal(t, slog.LevelDebug, c.logLevel)
	assert.Equal(t, 100, c.limits.MaxKeyBytes)
	assert.Equal(t, "t0k", c.token)
	assert.Equal(t, "consul:8500", c.consulAddr)
	assert.Equal(t, 20*time.Microsecond, c.respBusyPoll)

	// A flag wins over its env.
	c, err = parseConfig([]string{"--addr", "127.0.0.1:8000", "--max-key-bytes=5", "--resp-busy-poll=-1ns"}, e, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8000", c.addr)
	assert.Equal(t, 5, c.limits.MaxKeyBytes)
	assert.Equal(t, -time.Nanosecond, c.respBusyPoll)
}

func TestParseConfigLegacyPort(t *testing.T) {
	c, err := parseConfig(nil, env(map[string]string{"ISA_CLOUD_REDIS_GRPC_PORT": "50123"}), &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, ":50123", c.addr)
	c, err = parseConfig([]string{"--addr=127.0.0.1:1"}, env(map[string]string{"ISA_CLOUD_REDIS_GRPC_PORT": "50123"}), &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:1", c.addr, "--addr wins")
	_, err = parseConfig(nil, env(map[string]string{"ISA_CLOUD_REDIS_GRPC_PORT": "http"}), &bytes.Buffer{})
	assert.ErrorContains(t, err, `invalid value "http" for ISA_CLOUD_REDIS_GRPC_PORT`)
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: []string{"--bogus"}, want: "flag provided but not defined: -bogus"},
		{args: []string{"--max-key-bytes=lots"}, want: `invalid value "lots" for flag -max-key-bytes`},
		{args: []string{"--log-format=xml"}, want: "want text or json"},
		{args: []string{"--log-level=loud"}, want: "want debug, info, warn or error"},
		{args: []string{"serve"}, want: `unexpected argument "serve"`},
		{args: []string{"--tls-cert=c.pem"}, want: "--tls-cert and --tls-key go together"},
		{args: []string{"--token=a", "--token-file=f"}, want: "not both"},
		{args: []string{"--max-message-bytes=0"}, want: "--max-message-bytes must be positive"},
		{args: []string{"--shutdown-timeout=0s"}, want: "--shutdown-timeout must be positive"},
		{args: []string{"--max-memory=-1"}, want: "--max-memory must not be negative"},
		{env: map[string]string{"ISA_MEMSTORE_MAX_ELEMENTS": "many"}, want: `invalid value "many" for ISA_MEMSTORE_MAX_ELEMENTS`},
	} {
		_, err := parseConfig(tc.args, env(tc.env), &bytes.Buffer{})
		assert.ErrorContains(t, err, tc.want, "args %v env %v", tc.args, tc.env)
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		var out bytes.Buffer
		_, err := parseConfig([]string{arg}, env(nil), &out)
		assert.ErrorIs(t, err, errHelp)
		assert.Contains(t, out.String(), "--addr host:port  (env ISA_MEMSTORE_ADDR, default :50055)")
		assert.Contains(t, out.String(), "ISA_CLOUD_REDIS_GRPC_PORT")
		assert.Contains(t, out.String(), "grpcurl")
		for _, line := range bytes.Split(out.Bytes(), []byte("\n")) {
			if !bytes.HasPrefix(line, []byte("  --")) {
				assert.LessOrEqual(t, len(line), 80, "help line too long: %q", line)
			}
		}
	}
}

func TestLoadToken(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(f, []byte("  from-file\n"), 0o600))
	c := &config{tokenFile: f}
	tok, err := c.loadToken()
	require.NoError(t, err)
	assert.Equal(t, "from-file", tok)

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	_, err = (&config{tokenFile: empty}).loadToken()
	assert.ErrorContains(t, err, "is empty")
	_, err = (&config{tokenFile: filepath.Join(dir, "missing")}).loadToken()
	assert.ErrorContains(t, err, "reading --token-file")
	tok, err = (&config{token: "flag"}).loadToken()
	require.NoError(t, err)
	assert.Equal(t, "flag", tok)
}
