package redisbackend

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

// silent drops go-redis's own log lines (dial failures during the outage
// test are expected, and the test asserts on what callers see instead).
type silent struct{}

func (silent) Printf(context.Context, string, ...any) {}

// TestMain fails the package when a test leaves a goroutine behind: every
// backend, subscription, server and connection must be closed.
func TestMain(m *testing.M) {
	redis.SetLogger(silent{})
	goleak.VerifyTestMain(m)
}
