package grpcserver

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
)

// panickyBackend panics in Get.
type panickyBackend struct{ Backend }

func (panickyBackend) Get(context.Context, Tenant, string) (string, bool, error) {
	panic("kaboom")
}

func TestPanicRecovery(t *testing.T) {
	h := newBackendHarness(t, panickyBackend{}, Options{})
	ctx := testCtx(t)
	_, err := h.client.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
	requireCode(t, err, codes.Internal, "internal error")

	// The server survives, and the panic is logged with its stack.
	_, err = h.client.Get(ctx, &pb.GetRequest{UserId: user, Key: "k"})
	requireCode(t, err, codes.Internal, "internal error")
	var found bool
	for _, l := range logLines(t, h) {
		if l["msg"] == "panic in handler" {
			found = true
			assert.Equal(t, "kaboom", l["panic"])
			assert.Contains(t, l["stack"], "panickyBackend")
			assert.Equal(t, pb.RedisService_Get_FullMethodName, l["method"])
		}
	}
	assert.True(t, found, "no panic log line in %s", h.logs.String())
}

func logLines(t *testing.T, h *harness) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range h.logs.lines() {
		if l == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "log line %q", l)
		out = append(out, m)
	}
	return out
}

func TestFailedCallLogLine(t *testing.T) {
	h := newHarness(t, Options{})
	ctx := testCtx(t)
	const secret = "the-value-must-not-be-logged"
	_, err := h.client.Set(ctx, &pb.SetRequest{UserId: user, OrganizationId: org, Key: "n", Value: secret})
	require.NoError(t, err)
	_, err = h.client.Increment(ctx, &pb.IncrementRequest{UserId: user, OrganizationId: org, Key: "n", Delta: 1})
	requireCode(t, err, codes.InvalidArgument, "not an integer")

	var failed []map[string]any
	for _, l := range logLines(t, h) {
		if l["msg"] == "rpc failed" {
			failed = append(failed, l)
		}
	}
	require.Len(t, failed, 1, "one line per failed call")
	l := failed[0]
	assert.Equal(t, "WARN", l["level"])
	assert.Equal(t, pb.RedisService_Increment_FullMethodName, l["method"])
	assert.Equal(t, "InvalidArgument", l["code"])
	assert.Equal(t, org, l["org"])
	assert.Equal(t, user, l["user"])
	assert.Contains(t, l, "duration")
	assert.Equal(t, "ERR value is not an integer or out of range", l["error"])
	assert.NotContains(t, h.logs.String(), secret, "a value reached the log")
}

func TestQuietLogAtInfo(t *testing.T) {
	buf := &syncBuffer{}
	h := newHarness(t, Options{Logger: slog.New(slog.NewTextHandler(buf, nil))})
	ctx := testCtx(t)
	_, err := h.client.Set(ctx, &pb.SetRequest{UserId: user, Key: "k", Value: "v"})
	require.NoError(t, err)
	assert.Empty(t, buf.String(), "successful calls are logged at debug level only")
	_, err = h.client.Get(ctx, &pb.GetRequest{Key: "k"})
	requireCode(t, err, codes.PermissionDenied, "")
	assert.Contains(t, buf.String(), "code=PermissionDenied")
}
