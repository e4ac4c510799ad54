package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBenchCSV(t *testing.T) {
	out := `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"SET","98039.22","0.271","0.072","0.255","0.415","0.567","2.079"
"GET","101010.10","0.262","0.064","0.247","0.399","0.551","1.223"
`
	got, err := parseBenchCSV(out)
	require.NoError(t, err)
	assert.Equal(t, benchRun{"SET": 98039.22, "GET": 101010.10}, got)

	_, err = parseBenchCSV("")
	assert.Error(t, err)
	_, err = parseBenchCSV(`"SET","fast"` + "\n")
	assert.Error(t, err)
}

func TestProcCPU(t *testing.T) {
	// This process has certainly used some CPU by now (compiling regexps,
	// starting the runtime); a process that does not exist has none.
	x := 0
	for i := range 100_000_000 {
		x ^= i
	}
	_ = x
	assert.Positive(t, procCPU(os.Getpid()))
	assert.Zero(t, procCPU(-1))
}

func TestRatioRange(t *testing.T) {
	assert.Equal(t, "0.50..2.00", ratioRange([]float64{1, 4, 3}, []float64{2, 2, 3}))
	assert.Equal(t, "1.10", ratioRange([]float64{1.1}, []float64{1}))
	// Unpaired samples (a round missing on one side) are left out.
	assert.Equal(t, "2.00", ratioRange([]float64{2, 9}, []float64{1}))
	assert.Equal(t, "-", ratioRange(nil, []float64{1}))
}
