package redisbackend

import (
	"testing"

	"github.com/isa-cloud/isa-memstore/internal/conformance"
)

// The black-box suite that every RedisService server must pass, unchanged,
// against a server whose data lives in Redis.

func TestConformanceStandalone(t *testing.T) {
	conformance.Run(t, serve(t, standalone(t)))
}

func TestConformanceCluster(t *testing.T) {
	conformance.Run(t, serve(t, cluster(t)))
}
