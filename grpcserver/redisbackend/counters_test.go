package redisbackend

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

func TestCounterTable(t *testing.T) {
	var ct counterTable
	a, b := grpcserver.Tenant{Org: "o", User: "a"}, grpcserver.Tenant{User: "a"}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				ct.command(a, 1)
				ct.lookup(a, true)
				ct.lookup(b, false)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, counts{commands: 8000, hits: 8000}, ct.take(a), "tenants with the same user are counted apart")
	assert.Equal(t, counts{}, ct.take(a), "taken")
	ct.lookups(b, 0, 0) // nothing to count: no entry
	all := ct.takeAll()
	assert.Equal(t, map[grpcserver.Tenant]counts{b: {misses: 8000}}, all)
	assert.Empty(t, ct.takeAll())
}
