package redisbackend

import (
	"testing"

	"github.com/isa-cloud/isa-memstore/internal/conformance"
	"github.com/isa-cloud/isa-memstore/internal/testredis"
)

// The black-box suite that every RedisService server must pass, against a
// server whose data lives in Redis. By default the backend refuses the ids
// the legacy key layout cannot hold (spec 5.1), which the suite is told;
// with IDsEscape it accepts every id and must isolate such tenants as the
// embedded engine does.

// redisTarget is how the suite sees a backend with the default id policy.
var redisTarget = conformance.Config{RejectsAmbiguousIDs: true}

func TestConformanceStandalone(t *testing.T) {
	conformance.RunWith(t, serve(t, standalone(t)), redisTarget)
}

func TestConformanceCluster(t *testing.T) {
	conformance.RunWith(t, serve(t, cluster(t)), redisTarget)
}

func TestConformanceEscapedIDs(t *testing.T) {
	b := newBackend(t, Options{Addrs: []string{testredis.Addr(t)}, DB: testDB, IDs: IDsEscape})
	conformance.Run(t, serve(t, b))
}
