package harness

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStartRedis(t *testing.T) {
	r, err := StartRedis()
	if errors.Is(err, ErrNoRedis) {
		t.Skip(err)
	}
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Stop() })

	host, _, err := net.SplitHostPort(r.Addr)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", host)

	reply, err := r.Command("SET", "k", "hello world")
	require.NoError(t, err)
	require.Equal(t, "OK", reply)
	reply, err = r.Command("GET", "k")
	require.NoError(t, err)
	require.Equal(t, "hello world", reply)
	_, err = r.Command("NOSUCHCOMMAND")
	require.ErrorContains(t, err, "unknown command")

	used, err := r.Info("memory", "used_memory")
	require.NoError(t, err)
	require.Positive(t, used)
	_, err = r.Info("memory", "no_such_field")
	require.Error(t, err)

	require.NoError(t, r.Stop())
	d := net.Dialer{Timeout: time.Second}
	if c, err := d.Dial("tcp", r.Addr); err == nil {
		c.Close()
		t.Fatal("redis-server still accepts connections after Stop")
	}
}
