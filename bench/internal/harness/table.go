package harness

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Table collects rows and prints them with aligned columns.
type Table struct {
	header []string
	rows   [][]string
}

// NewTable starts a table with the given column headers.
func NewTable(header ...string) *Table { return &Table{header: header} }

// Row appends a row; values are formatted with %v, floats by the caller.
func (t *Table) Row(cells ...any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = fmt.Sprint(c)
	}
	t.rows = append(t.rows, row)
}

// Print writes the table to w, right-aligned except for the first column.
func (t *Table) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	line := func(cells []string) {
		// tabwriter right-aligns cells terminated by a tab; the first
		// column is padded by hand so that names stay left-aligned.
		fmt.Fprint(tw, strings.Join(cells, "\t")+"\t\n")
	}
	width := 0
	for _, r := range append([][]string{t.header}, t.rows...) {
		if len(r) > 0 {
			width = max(width, len(r[0]))
		}
	}
	pad := func(r []string) []string {
		out := append([]string(nil), r...)
		if len(out) > 0 {
			out[0] = out[0] + strings.Repeat(" ", width-len(out[0]))
		}
		return out
	}
	line(pad(t.header))
	for _, r := range t.rows {
		line(pad(r))
	}
	tw.Flush()
}

// Ops formats an operations-per-second figure: "1.23M", "456.7k", "89".
func Ops(opsPerSec float64) string {
	switch {
	case opsPerSec >= 1e6:
		return fmt.Sprintf("%.2fM", opsPerSec/1e6)
	case opsPerSec >= 1e3:
		return fmt.Sprintf("%.1fk", opsPerSec/1e3)
	}
	return fmt.Sprintf("%.0f", opsPerSec)
}

// Ratio formats a ratio with two decimals and an x: "5.31x".
func Ratio(r float64) string { return fmt.Sprintf("%.2fx", r) }
