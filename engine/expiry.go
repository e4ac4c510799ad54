package engine

import "time"

// reclaimBatch is how many expired keys the worker deletes from one shard
// before it looks at the clock again, so that one huge wave of deadlines
// cannot hold a shard lock for long.
const reclaimBatch = 64

// expiryLoop is the background worker: every interval it deletes keys whose
// deadline has passed, earliest first, within a CPU budget, so the memory of
// expired keys is returned promptly without pauses. Lazy expiry on access
// already guarantees no expired key is ever observed; this is about memory.
func (e *Engine) expiryLoop() {
	defer close(e.done)
	tick := e.opts.expiryTick
	if tick == nil {
		t := time.NewTicker(e.opts.ExpiryInterval)
		defer t.Stop()
		tick = t.C
	}
	budget := time.Duration(float64(e.opts.ExpiryInterval) * e.opts.ExpiryCPUFraction)
	next := 0 // namespace to start from, so that a budget cut does not starve later ones
	for {
		select {
		case <-e.stop:
			return
		case <-tick:
		}
		if e.wall != nil {
			e.wall.sync()
		}
		next = e.reclaimPass(budget, next)
		if e.opts.expiryPassed != nil {
			select {
			case e.opts.expiryPassed <- struct{}{}:
			case <-e.stop:
				return
			}
		}
	}
}

// reclaimPass reclaims expired keys across namespaces until none is due or
// the budget is spent, and returns where the next pass should start: after
// the namespace the budget ran out in, so that one namespace with a flood of
// deadlines cannot keep the others from ever being reached.
func (e *Engine) reclaimPass(budget time.Duration, start int) int {
	dbs := *e.dbList.Load()
	if len(dbs) == 0 {
		return 0
	}
	began := time.Now()
	now := e.now()
	// Sessions live in one engine-wide table, not per namespace; they go
	// first so that a wave of expiring keys cannot starve them.
	for e.sessions.reclaim(now, reclaimBatch) > 0 {
		if time.Since(began) > budget {
			return start
		}
	}
	for i := 0; i < len(dbs); i++ {
		j := (start + i) % len(dbs)
		for dbs[j].ks.ReclaimExpired(now, reclaimBatch)+dbs[j].reclaimLocks(now, reclaimBatch) > 0 {
			if time.Since(began) > budget {
				return (j + 1) % len(dbs)
			}
		}
	}
	return start
}

// ReclaimExpired deletes every key, lock and session whose deadline has
// passed, in every namespace, now, and returns how many it deleted. The
// background worker does this continuously; tests on a manual clock call it
// to make memory reclamation deterministic.
func (e *Engine) ReclaimExpired() int {
	now := e.now()
	n := 0
	for _, db := range *e.dbList.Load() {
		n += db.ks.ReclaimExpired(now, 0)
		n += db.reclaimLocks(now, 0)
	}
	return n + e.sessions.reclaim(now, 0)
}
