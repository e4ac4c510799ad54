package engine

import (
	"errors"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestConcurrentMixedOperations runs single-key, multi-key and whole-
// namespace operations from many goroutines over several namespaces, while
// another goroutine moves the manual clock and runs the expiry worker. It
// is meant for -race: it checks for data races, for deadlocks (a timeout
// guard fails the test and dumps the goroutines) and, afterwards, that
// every namespace's keyspace, index and counters still agree.
//
// A "bank" namespace checks atomicity: Atomic transfers between accounts in
// different shards while MGET readers must always see the same total.
func TestConcurrentMixedOperations(t *testing.T) {
	// A limit far above what the test writes, so that the engine-wide
	// byte counter (kept only with a MaxMemory) is updated concurrently.
	te := openTestEngine(t, Options{MaxMemory: 1 << 40})
	namespaces := []*DB{te.DB("n0"), te.DB("n1"), te.DB("n2")}
	bank := te.DB("bank")
	accounts := keysInDistinctShards(t, bank, 4)
	const perAccount = 1000
	for _, a := range accounts {
		_, err := bank.Set(a, strconv.Itoa(perAccount), SetOptions{})
		require.NoError(t, err)
	}

	workers, opsPer := 8, 3000
	if testing.Short() {
		opsPer = 500
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup

	// Time moves and the expiry worker runs while the others work.
	var clockWG sync.WaitGroup
	clockWG.Add(1)
	go func() {
		defer clockWG.Done()
		for {
			te.clock.Advance(time.Millisecond)
			select {
			case te.tick <- te.clock.Now():
			case <-stop:
				return
			}
			select {
			case <-te.passed:
			case <-stop:
				return
			}
		}
	}()

	// expected lists errors that are normal outcomes of random commands.
	expected := func(err error) bool {
		return err == nil || errors.Is(err, ErrNoSuchKey) || errors.Is(err, ErrNotInteger) ||
			errors.Is(err, ErrWrongType) || errors.Is(err, ErrOverflow)
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 99))
			key := func() string { return "k" + strconv.Itoa(r.IntN(32)) }
			for i := 0; i < opsPer; i++ {
				db := namespaces[r.IntN(len(namespaces))]
				var err error
				switch r.IntN(17) {
				case 0:
					_, err = db.Set(key(), strconv.Itoa(i), SetOptions{TTL: time.Duration(r.IntN(20)) * time.Millisecond})
				case 1:
					_, _, err = db.Get(key())
				case 2:
					_, err = db.Incr(key())
				case 3:
					_, err = db.Append(key(), "x")
				case 4:
					err = db.MSet(KV{key(), "a"}, KV{key(), "b"}, KV{key(), "c"})
				case 5:
					_, err = db.MGet(key(), key(), key(), key())
				case 6:
					_, err = db.Del(key(), key(), key(), key(), key())
				case 7:
					_, err = db.Exists(key(), key())
				case 8:
					err = db.Rename(key(), key())
				case 9:
					_, err = db.RenameNX(key(), key())
				case 10:
					_, err = db.Expire(key(), time.Duration(r.IntN(30)-5)*time.Millisecond, ExpireFlags(r.IntN(3)))
				case 11:
					_, err = db.Persist(key())
				case 12:
					_, _, err = db.Keys("k1*", 5)
				case 13:
					_, err = db.DBSize()
				case 14:
					keys := []string{key(), key(), key()}
					err = db.Atomic(keys, func(txn Txn) error {
						for _, k := range keys {
							if _, err := txn.IncrBy(k, 2); err != nil && !errors.Is(err, ErrNotInteger) {
								return err
							}
						}
						txn.Del(keys[0])
						return nil
					})
				case 15:
					if r.IntN(100) == 0 {
						_, err = db.FlushDB()
					}
				case 16:
					// The bank: move one unit between two accounts, atomically.
					from, to := accounts[r.IntN(len(accounts))], accounts[r.IntN(len(accounts))]
					err = bank.Atomic([]string{from, to}, func(txn Txn) error {
						if _, err := txn.IncrBy(from, -1); err != nil {
							return err
						}
						_, err := txn.IncrBy(to, 1)
						return err
					})
				}
				if !expected(err) {
					t.Errorf("worker %d op %d: %v", w, i, err)
					return
				}
			}
		}(w)
	}
	// Readers of the bank: MGET is atomic across shards, so the total
	// never changes.
	var readers sync.WaitGroup
	for rd := 0; rd < 2; rd++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				vals, err := bank.MGet(accounts...)
				if err != nil {
					t.Errorf("bank MGET: %v", err)
					return
				}
				total := 0
				for _, v := range vals {
					n, _ := strconv.Atoi(v.Value)
					total += n
				}
				if total != perAccount*len(accounts) {
					t.Errorf("bank total %d, want %d: a transfer was observed half done", total, perAccount*len(accounts))
					return
				}
			}
		}()
	}

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
		t.Fatal("deadlock: the workers did not finish in 2 minutes (goroutines dumped above)")
	}
	close(stop)
	clockWG.Wait()
	readers.Wait()

	var bytes int64
	for _, db := range append(namespaces, bank) {
		require.NoError(t, db.ks.Verify(), db.Name())
		bytes += db.ks.Stats().Bytes
	}
	require.Equal(t, bytes, te.used.Load(), "the engine-wide byte total equals the namespaces' sum")
	vals, err := bank.MGet(accounts...)
	require.NoError(t, err)
	total := 0
	for _, v := range vals {
		n, err := strconv.Atoi(v.Value)
		require.NoError(t, err)
		total += n
	}
	require.Equal(t, perAccount*len(accounts), total)
}

// TestConcurrentNamespaceOpening opens namespaces while others write to
// them and the expiry worker walks the namespace list.
func TestConcurrentNamespaceOpening(t *testing.T) {
	te := openTestEngine(t, Options{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				db := te.DB("ns" + strconv.Itoa(i%50))
				if _, err := db.Set("k"+strconv.Itoa(w), "v", SetOptions{TTL: time.Millisecond}); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	ticks := make(chan struct{})
	go func() {
		defer close(ticks)
		for i := 0; i < 20; i++ {
			te.clock.Advance(time.Millisecond)
			te.tick <- te.clock.Now()
			<-te.passed
		}
	}()
	wg.Wait()
	select {
	case <-ticks:
	case <-time.After(time.Minute):
		t.Fatal("the expiry worker stalled")
	}
	require.Len(t, te.DBs(), 50)
	te.clock.Advance(time.Second)
	te.ReclaimExpired()
	for _, db := range te.DBs() {
		require.Zero(t, db.ks.Stats().Keys, db.Name())
	}
}
