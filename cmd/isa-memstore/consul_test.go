package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeConsul is the part of a Consul agent's HTTP API that registration
// uses: PUT /v1/agent/service/register and
// PUT /v1/agent/service/deregister/{id}.
type fakeConsul struct {
	srv *httptest.Server

	mu           sync.Mutex
	registered   map[string]any // the last registration body
	deregistered []string
	changed      chan struct{} // receives after every accepted call
	fail         bool          // set before the first request only
}

// newFakeConsul starts a fake agent; a failing one answers every call 500.
func newFakeConsul(t *testing.T, failing bool) *fakeConsul {
	f := &fakeConsul{changed: make(chan struct{}, 16), fail: failing}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeConsul) addr() string { return strings.TrimPrefix(f.srv.URL, "http://") }

func (f *fakeConsul) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		http.Error(w, "agent unavailable", http.StatusInternalServerError)
		return
	}
	switch {
	case r.Method == http.MethodPut && r.URL.Path == "/v1/agent/service/register":
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.registered = m
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/v1/agent/service/deregister/"):
		f.deregistered = append(f.deregistered, strings.TrimPrefix(r.URL.Path, "/v1/agent/service/deregister/"))
	default:
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
		return
	}
	f.changed <- struct{}{}
}

func (f *fakeConsul) state() (map[string]any, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.registered, append([]string(nil), f.deregistered...)
}

// await waits for the next accepted call.
func (f *fakeConsul) await(t *testing.T) {
	t.Helper()
	select {
	case <-f.changed:
	case <-time.After(10 * time.Second):
		t.Fatal("no call reached the fake Consul agent")
	}
}

func TestRegisterConsul(t *testing.T) {
	f := newFakeConsul(t, false)
	cfg := &config{consulAddr: f.addr(), consulService: "redis-grpc-service", consulInterval: 7 * time.Second}
	addr := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 50055}
	reg, err := registerConsul(cfg, addr, false)
	require.NoError(t, err)
	f.await(t)
	body, _ := f.state()
	assert.Equal(t, "redis-grpc-service", body["Name"])
	assert.Equal(t, "redis-grpc-service-127.0.0.1-50055", body["ID"])
	assert.Equal(t, "127.0.0.1", body["Address"])
	assert.Equal(t, float64(50055), body["Port"])
	check, ok := body["Check"].(map[string]any)
	require.True(t, ok, "a health check is registered: %v", body)
	assert.Equal(t, "127.0.0.1:50055/redis-service", check["GRPC"])
	assert.Equal(t, "7s", check["Interval"])
	assert.NotEmpty(t, check["DeregisterCriticalServiceAfter"])

	require.NoError(t, reg.deregister())
	f.await(t)
	_, gone := f.state()
	assert.Equal(t, []string{"redis-grpc-service-127.0.0.1-50055"}, gone)
}

func TestRegisterConsulAdvertisedHost(t *testing.T) {
	f := newFakeConsul(t, false)
	cfg := &config{consulAddr: f.addr(), consulService: "svc", consulHost: "memstore.internal", consulInterval: time.Second}
	_, err := registerConsul(cfg, &net.TCPAddr{IP: net.IPv6unspecified, Port: 1234}, true)
	require.NoError(t, err)
	f.await(t)
	body, _ := f.state()
	assert.Equal(t, "memstore.internal", body["Address"])
	check := body["Check"].(map[string]any)
	assert.Equal(t, "memstore.internal:1234/redis-service", check["GRPC"])
	assert.Equal(t, true, check["GRPCUseTLS"])
}

func TestRegisterConsulFailure(t *testing.T) {
	f := newFakeConsul(t, true)
	cfg := &config{consulAddr: f.addr(), consulService: "svc", consulInterval: time.Second}
	_, err := registerConsul(cfg, &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 1}, false)
	assert.ErrorContains(t, err, "consul: registering svc-127.0.0.1-1")
}
