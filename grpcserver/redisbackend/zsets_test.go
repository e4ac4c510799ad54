package redisbackend

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/grpcserver"
)

func TestFormatScore(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0", 1.5: "1.5", -2: "-2", 0.1: "0.1", 1e300: "1e+300", 5e-324: "5e-324",
		math.Inf(1): "inf", math.Inf(-1): "-inf",
	} {
		assert.Equal(t, want, formatScore(f))
	}
	assert.Equal(t, "nan", formatScore(math.NaN()))
}

// TestScoresRoundTrip: what goes in comes back bit for bit.
func TestScoresRoundTrip(t *testing.T) {
	b := standalone(t)
	ctx := testCtx(t)
	tn := freshTenant()
	scores := []float64{0.1, 1.0 / 3, -1e-300, 1e308, math.Inf(1), math.Inf(-1), 123456789.123456789}
	var ms []grpcserver.ZMember
	for i, s := range scores {
		ms = append(ms, grpcserver.ZMember{Member: string(rune('a' + i)), Score: s})
	}
	n, err := b.ZAdd(ctx, tn, "z", ms)
	require.NoError(t, err)
	assert.Equal(t, int64(len(scores)), n)
	for _, m := range ms {
		s, found, err := b.ZScore(ctx, tn, "z", m.Member)
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, math.Float64bits(m.Score), math.Float64bits(s), "%s", m.Member)
	}
	_, err = b.ZAdd(ctx, tn, "z", []grpcserver.ZMember{{Member: "n", Score: math.NaN()}})
	assert.EqualError(t, err, "ERR value is not a valid float")
}
