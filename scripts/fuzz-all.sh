#!/usr/bin/env bash
# Run every Go fuzz target of the module for a short while, one target per
# `go test` invocation (the go tool fuzzes one target at a time).
#
#   scripts/fuzz-all.sh [FUZZTIME]     # default 10s; used by .ci/run and `make fuzz`
#
# Targets are found by looking for `func FuzzXxx(` in *_test.go files, so a new
# fuzz target is picked up without editing this script. Nested modules (a dir
# with its own go.mod, e.g. tools/), testdata, vendor and dot dirs are skipped.
# All targets run even when one fails; the exit status is non-zero if any did.
# A failing input is saved by go under the package's testdata/fuzz/: commit it
# as a regression case once fixed.
set -euo pipefail

fuzztime=${1:-10s}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Every *_test.go of this module, pruning what the go tool would not build.
list_test_files() {
	find . \( -name .git -o -name testdata -o -name vendor -o -name '.?*' -o -name '_*' \) -prune -o \
		-type f -name '*_test.go' -print | sort | while read -r f; do
		# Skip files inside a nested module.
		d=$(dirname "$f")
		nested=false
		while [ "$d" != "." ]; do
			if [ -f "$d/go.mod" ]; then nested=true; break; fi
			d=$(dirname "$d")
		done
		$nested || echo "$f"
	done
}

targets=()
while read -r f; do
	dir=$(dirname "$f")
	while read -r name; do
		[ -n "$name" ] && targets+=("$dir $name")
	done < <(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$f")
done < <(list_test_files)

if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz-all: no fuzz targets found"
	exit 0
fi

# fuzz_one DIR NAME fuzzes one target. When -fuzztime runs out while a
# worker is still inside one input (a slow input on a loaded machine), the go
# tool can end with "context deadline exceeded" and no failing input: that
# says nothing about the code, so such a run is tried once more. A run that
# wrote a failing input is never retried.
fuzz_one() {
	local out
	out=$(mktemp)
	if go test -run='^$' -fuzz="^${2}\$" -fuzztime="$fuzztime" "$1" 2>&1 | tee "$out"; then
		rm -f "$out"
		return 0
	fi
	if grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out"; then
		rm -f "$out"
		echo "--- retry $1 $2: the fuzz run timed out inside an input without a failure"
		go test -run='^$' -fuzz="^${2}\$" -fuzztime="$fuzztime" "$1"
		return
	fi
	rm -f "$out"
	return 1
}

echo "fuzz-all: ${#targets[@]} target(s), ${fuzztime} each"
failed=()
for t in "${targets[@]}"; do
	dir=${t% *}
	name=${t#* }
	echo "--- fuzz $dir $name ($fuzztime)"
	start=$SECONDS
	if fuzz_one "$dir" "$name"; then
		echo "--- ok   $dir $name ($((SECONDS - start))s)"
	else
		echo "--- FAIL $dir $name ($((SECONDS - start))s)"
		failed+=("$dir $name")
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz-all: ${#failed[@]} of ${#targets[@]} target(s) failed:"
	printf '  %s\n' "${failed[@]}"
	exit 1
fi
echo "fuzz-all: all ${#targets[@]} target(s) passed"
