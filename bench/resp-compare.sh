#!/usr/bin/env bash
# Compare isa-memstore's RESP listener with a real redis-server on this
# machine, in the same run, with redis-benchmark:
#
#   bench/resp-compare.sh [-n REQUESTS] [-c CLIENTS] [-r ROUNDS] [-t TESTS]
#
# Each round runs the tests once without and once with pipelining (-P 16)
# against both servers, alternating which goes first, so that background
# load hits both alike; the median over rounds is reported with the ratio
# isa-memstore / redis-server (> 1 means isa-memstore is faster).
# Throughput on a shared machine moves with whatever else runs, so the
# script also reports each server's CPU time per request (user+sys, from
# /proc/PID/stat around each run), which background load barely affects.
# Everything listens on 127.0.0.1 only, on free ports, and is stopped at exit.
# RESP_SERVER_FLAGS are extra flags for bench/resp-server, for instance
# RESP_SERVER_FLAGS=-busy-poll=-1ns to compare without busy polling.
set -euo pipefail

n=200000
clients=50
rounds=3
tests=set,get,incr,lpush,rpop,sadd,hset,zadd
while getopts "n:c:r:t:" opt; do
	case $opt in
	n) n=$OPTARG ;;
	c) clients=$OPTARG ;;
	r) rounds=$OPTARG ;;
	t) tests=$OPTARG ;;
	*) echo "usage: $0 [-n requests] [-c clients] [-r rounds] [-t tests]" >&2; exit 2 ;;
	esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_ping() {
	for _ in $(seq 100); do
		redis-cli -p "$1" ping 2>/dev/null | grep -q PONG && return 0
		sleep 0.1
	done
	echo "server on port $1 did not come up" >&2
	exit 1
}

(cd "$root" && go build -o "$work/resp-server" ./bench/resp-server)
mport=$(free_port)
# shellcheck disable=SC2086 # RESP_SERVER_FLAGS is a list of flags
"$work/resp-server" -addr "127.0.0.1:$mport" ${RESP_SERVER_FLAGS:-} >"$work/memstore.log" 2>&1 &
pids+=($!)
mpid=$!
rport=$(free_port)
redis-server --bind 127.0.0.1 --port "$rport" --save '' --appendonly no --daemonize no \
	--logfile "$work/redis.log" >/dev/null 2>&1 &
pids+=($!)
rpid=$!
wait_ping "$mport"
wait_ping "$rport"

# cputicks PID: user+sys clock ticks the process has used.
cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run PORT PID PIPELINE NAME: each test alone, CSV lines tagged with the
# server's CPU microseconds per request.
run() {
	local t before after rps
	for t in ${tests//,/ }; do
		before=$(cputicks "$2")
		rps=$(redis-benchmark -h 127.0.0.1 -p "$1" -t "$t" -n "$n" -c "$clients" -P "$3" --csv -q 2>/dev/null |
			tail -n 1 | tr -d '"' | cut -d, -f1,2 | tr ',' ' ')
		after=$(cputicks "$2")
		echo "$4 $3 $rps $(((after - before) * 1000000 / $(getconf CLK_TCK)))"
	done
}

results=$work/results
for r in $(seq "$rounds"); do
	for p in 1 16; do
		if ((r % 2)); then
			run "$mport" "$mpid" "$p" memstore >>"$results"
			run "$rport" "$rpid" "$p" redis >>"$results"
		else
			run "$rport" "$rpid" "$p" redis >>"$results"
			run "$mport" "$mpid" "$p" memstore >>"$results"
		fi
	done
done

echo "redis-benchmark -t $tests -n $n -c $clients, median of $rounds rounds, requests/s"
echo "cores: $(nproc), $(redis-server --version | awk '{print $3}'), $(go version | awk '{print $3}')"
python3 - "$results" "$n" <<'PY'
import sys, statistics, collections
n = int(sys.argv[2])
rps, cpu = collections.defaultdict(list), collections.defaultdict(list)
order = []
for line in open(sys.argv[1]):
    srv, p, test, r, us = line.split()
    key = (int(p), test)
    if key not in order:
        order.append(key)
    rps[(srv,) + key].append(float(r))
    cpu[(srv,) + key].append(float(us) / n)
print(f"{'test':<8}{'pipeline':>9}{'isa-memstore':>14}{'redis-server':>14}{'ratio':>7}   {'CPU us/req: isa':>16}{'redis':>7}{'ratio':>7}")
for p, test in sorted(order, key=lambda k: (k[0], order.index(k))):
    m, r = statistics.median(rps[("memstore", p, test)]), statistics.median(rps[("redis", p, test)])
    mc, rc = statistics.median(cpu[("memstore", p, test)]), statistics.median(cpu[("redis", p, test)])
    print(f"{test:<8}{p:>9}{m:>14.0f}{r:>14.0f}{m / r:>7.2f}   {mc:>16.2f}{rc:>7.2f}{rc / mc if mc else 0:>7.2f}")
print("ratio > 1: isa-memstore better (more requests/s, or less CPU per request)")
PY
