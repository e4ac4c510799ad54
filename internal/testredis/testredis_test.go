package testredis

import (
	"context"
	"fmt"
	"net"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// testify is not used here on purpose: this package must build from go.sum
// alone, and testify's yaml dependency was not in go.sum when it was written.

// runSub runs f in a subtest and reports whether that subtest was skipped.
func runSub(t *testing.T, f func(t *testing.T)) (skipped bool) {
	t.Helper()
	t.Run("inner", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		f(t)
	})
	return skipped
}

func TestAddr(t *testing.T) {
	t.Run("unset skips", func(t *testing.T) {
		t.Setenv(AddrEnv, "")
		if !runSub(t, func(t *testing.T) {
			Addr(t)
			t.Error("Addr returned instead of skipping")
		}) {
			t.Error("Addr did not skip with the variable unset")
		}
	})
	t.Run("set returns it trimmed", func(t *testing.T) {
		t.Setenv(AddrEnv, " 127.0.0.1:6390 ")
		var got string
		if runSub(t, func(t *testing.T) { got = Addr(t) }) {
			t.Error("Addr skipped with the variable set")
		}
		if got != "127.0.0.1:6390" {
			t.Errorf("Addr = %q, want 127.0.0.1:6390", got)
		}
	})
}

func TestClusterAddrs(t *testing.T) {
	tests := []struct {
		env  string
		want []string // nil means skipped
	}{
		{"", nil},
		{" , ,", nil},
		{"127.0.0.1:7000", []string{"127.0.0.1:7000"}},
		{"a:1, b:2,,c:3 ", []string{"a:1", "b:2", "c:3"}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.env), func(t *testing.T) {
			t.Setenv(ClusterAddrsEnv, tc.env)
			var got []string
			skipped := runSub(t, func(t *testing.T) { got = ClusterAddrs(t) })
			if skipped != (tc.want == nil) {
				t.Errorf("skipped = %v, want %v", skipped, tc.want == nil)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ClusterAddrs = %q, want %q", got, tc.want)
			}
		})
	}
}

// fakeTB records how Client ends instead of ending the real test, so the
// failure path can be asserted.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	fatal    string
	skipped  bool
	cleanups []func()
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}
func (f *fakeTB) Skip(args ...any) {
	f.mu.Lock()
	f.skipped = true
	f.mu.Unlock()
	runtime.Goexit()
}
func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	f.cleanups = append(f.cleanups, fn)
	f.mu.Unlock()
}

// runFake runs Client on its own goroutine (Fatalf/Skip end it with Goexit)
// and then the registered cleanups, like the testing package would.
func runFake(f *fakeTB, db int) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		Client(f, db)
	}()
	<-done
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func TestClientFailsOnDeadServer(t *testing.T) {
	// A port that was free a moment ago: connections to it are refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	t.Setenv(AddrEnv, addr)
	f := &fakeTB{TB: t}
	start := time.Now()
	runFake(f, 0)
	if f.skipped {
		t.Error("a configured but dead server must fail the test, not skip it")
	}
	if !strings.Contains(f.fatal, "PING failed") || !strings.Contains(f.fatal, addr) {
		t.Errorf("fatal message %q should name the failed PING and %s", f.fatal, addr)
	}
	if d := time.Since(start); d > 2*pingTimeout {
		t.Errorf("Client took %v to give up: the ping must be bounded", d)
	}
	if len(f.cleanups) != 1 {
		t.Errorf("%d cleanups registered, want 1 (closing the client)", len(f.cleanups))
	}
}

func TestClientSkipsWhenUnset(t *testing.T) {
	t.Setenv(AddrEnv, "")
	f := &fakeTB{TB: t}
	runFake(f, 0)
	if !f.skipped || f.fatal != "" {
		t.Errorf("skipped = %v, fatal = %q; want a skip and no failure", f.skipped, f.fatal)
	}
}

// TestClientFlushesItsDB runs against the real test Redis when configured.
func TestClientFlushesItsDB(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	const db, other = 14, 15
	c := Client(t, db)
	if err := c.Set(ctx, "testredis:k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	o := Client(t, other)
	if err := o.Set(ctx, "testredis:k", "other", 0).Err(); err != nil {
		t.Fatal(err)
	}

	again := Client(t, db)
	n, err := again.DBSize(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("db %d holds %d keys after Client: it must FLUSHDB the db it is given", db, n)
	}
	got, err := o.Get(ctx, "testredis:k").Result()
	if err != nil {
		t.Fatal(err)
	}
	if got != "other" {
		t.Errorf("db %d key = %q, want %q: Client must leave other dbs alone", other, got, "other")
	}
}
