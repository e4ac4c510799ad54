package grpcserver

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/isa-cloud/isa-memstore/api/redispb"
	"github.com/isa-cloud/isa-memstore/engine"
)

// TestErrorTableCoversEngine fails when the engine exports an error kind
// the table does not map: a new engine error must get a deliberate code.
func TestErrorTableCoversEngine(t *testing.T) {
	for _, e := range engine.Errors() {
		_, ok := errorCodes[e.Kind()]
		assert.True(t, ok, "engine error %q (%s) is missing from errorCodes", e.Kind(), e.Error())
	}
	exported := map[string]bool{}
	for _, e := range engine.Errors() {
		exported[e.Kind()] = true
	}
	for kind := range errorCodes {
		assert.True(t, exported[kind], "errorCodes maps %q, which the engine no longer exports", kind)
	}
}

// wantCodes is spec section 5.2 written out once more, so that a slip in
// the table shows up as a disagreement.
var wantCodes = map[string]codes.Code{
	"wrongtype":  codes.FailedPrecondition,
	"notint":     codes.InvalidArgument,
	"notfloat":   codes.InvalidArgument,
	"overflow":   codes.OutOfRange,
	"naninf":     codes.OutOfRange,
	"nokey":      codes.NotFound,
	"syntax":     codes.InvalidArgument,
	"badexpire":  codes.InvalidArgument,
	"badarg":     codes.InvalidArgument,
	"toolarge":   codes.ResourceExhausted,
	"oom":        codes.ResourceExhausted,
	"closed":     codes.Unavailable,
	"unknowncmd": codes.InvalidArgument,
	"internal":   codes.Internal,
}

func TestToStatus(t *testing.T) {
	for _, e := range engine.Errors() {
		t.Run(e.Kind(), func(t *testing.T) {
			want, ok := wantCodes[e.Kind()]
			require.True(t, ok, "no expectation for %q", e.Kind())
			for _, err := range []error{e, fmt.Errorf("context: %w", e)} {
				st := status.Convert(toStatus(err))
				assert.Equal(t, want, st.Code())
				assert.Equal(t, e.Error(), st.Message(), "the Redis text, unwrapped")
			}
		})
	}
	assert.NoError(t, toStatus(nil))
	assert.Equal(t, codes.Canceled, status.Code(toStatus(context.Canceled)))
	assert.Equal(t, codes.DeadlineExceeded, status.Code(toStatus(fmt.Errorf("x: %w", context.DeadlineExceeded))))
	assert.Equal(t, codes.Internal, status.Code(toStatus(errors.New("boom"))))
	pass := status.Error(codes.Aborted, "as is")
	assert.Equal(t, pass, toStatus(pass))
}

// failingBackend answers every Get with err: the error round trip through
// a real server and client.
type failingBackend struct {
	Backend
	err error
}

func (f failingBackend) Get(context.Context, Tenant, string) (string, bool, error) {
	return "", false, f.err
}

func TestErrorRoundTrip(t *testing.T) {
	for _, e := range engine.Errors() {
		t.Run(e.Kind(), func(t *testing.T) {
			h := newBackendHarness(t, failingBackend{err: e}, Options{})
			_, err := h.client.Get(testCtx(t), &pb.GetRequest{UserId: user, Key: "k"})
			requireCode(t, err, wantCodes[e.Kind()], e.Error())
			assert.Equal(t, e.Error(), status.Convert(err).Message())
		})
	}
}
