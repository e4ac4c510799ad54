#!/usr/bin/env bash
# A/B two (or more) builds of a package's benchmarks on this noisy machine:
#
#   bench/ab.sh [-r ROUNDS] [-t BENCHTIME] [-c CPU] BENCH_REGEX NAME=TESTBINARY...
#
# Build each side first, e.g. from two checkouts:
#
#   (cd old && go test -c -o /tmp/old.test ./bench/cmd/compare)
#   (cd new && go test -c -o /tmp/new.test ./bench/cmd/compare)
#   bench/ab.sh -r 9 'Embedded/(hset|zadd)/ours' old=/tmp/old.test new=/tmp/new.test
#
# The binaries run in turn, round after round, so that a slow spell of the
# machine hits every side alike; the report is each benchmark's median
# ns/op per side over the rounds, then every sample, sorted, to show the
# spread. Medians of alternated rounds are what bench/RESULTS.md quotes as
# "N rounds"; one run of one binary on its own says little here.
set -euo pipefail

rounds=5
benchtime=500ms
cpu=2
while getopts "r:t:c:" opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	t) benchtime=$OPTARG ;;
	c) cpu=$OPTARG ;;
	*) echo "usage: $0 [-r rounds] [-t benchtime] [-c cpu] regex name=binary..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 2 ]; then
	echo "usage: $0 [-r rounds] [-t benchtime] [-c cpu] regex name=binary..." >&2
	exit 2
fi
regex=$1
shift

samples=$(mktemp)
trap 'rm -f "$samples"' EXIT
for ((r = 1; r <= rounds; r++)); do
	for side in "$@"; do
		name=${side%%=*}
		bin=${side#*=}
		"$bin" -test.run '^$' -test.bench "$regex" -test.cpu "$cpu" -test.benchtime "$benchtime" |
			awk -v side="$name" '$2 ~ /^[0-9]+$/ && $4 == "ns/op" { print side, $1, $3 }' >>"$samples"
	done
done

python3 - "$samples" "$@" <<'EOF'
import collections, statistics, sys
path, sides = sys.argv[1], [s.split("=", 1)[0] for s in sys.argv[2:]]
got = collections.defaultdict(list)
for line in open(path):
    side, bench, ns = line.split()
    got[bench, side].append(float(ns))
benches = sorted({b for b, _ in got})
width = max(len(b) for b in benches) if benches else 10
print(f"{'ns/op, median':{width}s}  " + "  ".join(f"{s:>10s}" for s in sides))
for b in benches:
    print(f"{b:{width}s}  " + "  ".join(
        f"{statistics.median(got[b, s]):10.1f}" if got[b, s] else f"{'-':>10s}" for s in sides))
print()
for b in benches:
    for s in sides:
        print(f"{b} {s}: " + (" ".join(f"{x:.1f}" for x in sorted(got[b, s])) or "-"))
EOF
