// Package harness is the measuring plumbing of bench/cmd/compare: result
// lines, alternating rounds with medians, throughput loops, tables, the
// machine description and throwaway redis-server peers. It knows nothing of
// any particular comparison, so that each comparison stays one file.
package harness

import (
	"fmt"
	"math"
	"strconv"
)

// Result is the outcome of one target. Its String is the line scripts read:
//
//	RESULT embedded-set: ratio 5.31 (target >= 5) met
//
// Value is called "ratio" in that line even when the target is a plain
// figure (expiry-p99-lag-ms), so that one pattern reads every line.
type Result struct {
	// Name is the target's name, e.g. "embedded-set".
	Name string
	// Value is the measured ratio (or figure).
	Value float64
	// Target is the bound the value is compared with.
	Target float64
	// AtMost is true when the target is an upper bound (value <= target);
	// otherwise it is a lower bound (value >= target).
	AtMost bool
}

// AtLeast is a result whose target is a lower bound.
func AtLeast(name string, value, target float64) Result {
	return Result{Name: name, Value: value, Target: target}
}

// AtMost is a result whose target is an upper bound.
func AtMost(name string, value, target float64) Result {
	return Result{Name: name, Value: value, Target: target, AtMost: true}
}

// Met reports whether the value satisfies the target. NaN (nothing
// measured) never does.
func (r Result) Met() bool {
	if math.IsNaN(r.Value) {
		return false
	}
	if r.AtMost {
		return r.Value <= r.Target
	}
	return r.Value >= r.Target
}

// String is the RESULT line (without a newline).
func (r Result) String() string {
	op := ">="
	if r.AtMost {
		op = "<="
	}
	verdict := "met"
	if !r.Met() {
		verdict = "not met"
	}
	return fmt.Sprintf("RESULT %s: ratio %s (target %s %s) %s",
		r.Name, strconv.FormatFloat(r.Value, 'f', 2, 64), op,
		strconv.FormatFloat(r.Target, 'g', -1, 64), verdict)
}

// Skip is the line printed for a comparison (or part of one) that cannot
// run here, e.g. `SKIP network-resp: the RESP listener is not merged yet`.
func Skip(name, reason string) string {
	return fmt.Sprintf("SKIP %s: %s", name, reason)
}
