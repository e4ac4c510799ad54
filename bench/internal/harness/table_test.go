package harness

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTablePrint(t *testing.T) {
	tb := NewTable("command", "ours")
	tb.Row("SET", "1.00M")
	tb.Row("LPUSH+RPOP", 12)
	var b strings.Builder
	tb.Print(&b)
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	assert.Len(t, lines, 3)
	// Names are left-aligned, figures right-aligned in one column.
	assert.True(t, strings.HasPrefix(strings.TrimLeft(lines[1], " "), "SET "))
	assert.Equal(t, len(lines[1]), len(lines[2]))
	assert.True(t, strings.HasSuffix(lines[1], "1.00M"))
	assert.True(t, strings.HasSuffix(lines[2], "   12"))
}

func TestOpsAndRatio(t *testing.T) {
	assert.Equal(t, "1.23M", Ops(1_234_567))
	assert.Equal(t, "456.7k", Ops(456_700))
	assert.Equal(t, "89", Ops(89))
	assert.Equal(t, "5.31x", Ratio(5.314))
}

func TestMachine(t *testing.T) {
	m := Machine()
	for _, want := range []string{"date:", "machine: nproc", "go:      go"} {
		assert.Contains(t, m, want)
	}
}
