package harness

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResultString(t *testing.T) {
	tests := []struct {
		r    Result
		want string
		met  bool
	}{
		{AtLeast("embedded-set", 5.314, 5), "RESULT embedded-set: ratio 5.31 (target >= 5) met", true},
		{AtLeast("embedded-get", 4.999, 5), "RESULT embedded-get: ratio 5.00 (target >= 5) not met", false},
		{AtLeast("grpc-ceiling", 0.85, 0.85), "RESULT grpc-ceiling: ratio 0.85 (target >= 0.85) met", true},
		{AtMost("memory-per-key", 1.35, 1.0), "RESULT memory-per-key: ratio 1.35 (target <= 1) not met", false},
		{AtMost("expiry-p99-lag-ms", 17.37, 100), "RESULT expiry-p99-lag-ms: ratio 17.37 (target <= 100) met", true},
		{AtMost("expiry-p99-lag-ms", math.Inf(1), 100), "RESULT expiry-p99-lag-ms: ratio +Inf (target <= 100) not met", false},
		{AtLeast("batching", math.NaN(), 4), "RESULT batching: ratio NaN (target >= 4) not met", false},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.r.String())
			assert.Equal(t, tt.met, tt.r.Met())
		})
	}
}

func TestSkip(t *testing.T) {
	assert.Equal(t, "SKIP network-resp: not merged", Skip("network-resp", "not merged"))
}
