#!/usr/bin/env bash
# Start or stop a throwaway redis-server for tests that compare against real
# Redis (internal/testredis reads ISA_MEMSTORE_TEST_REDIS_ADDR).
#
#   scripts/redis-test-server.sh start DIR   # prints host:port on stdout
#   scripts/redis-test-server.sh stop DIR
#
# The server listens on 127.0.0.1 only, on a free port, keeps nothing on disk
# (no RDB, no AOF) and keeps its pidfile, log and address in DIR. Everything
# but the address goes to stderr so `addr=$(... start DIR)` works.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2

log() { echo "redis-test-server: $*" >&2; }

ensure_installed() {
	if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
		return
	fi
	log "installing redis-server and redis-tools with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends redis-server redis-tools >&2
}

# alive PID: the process exists.
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# port_busy PORT: something already accepts connections there.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
	ensure_installed
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	local pidfile=$dir/redis.pid logfile=$dir/redis.log

	# Already running from this DIR: reuse it rather than leak a second one.
	if [ -f "$dir/addr" ] && [ -f "$pidfile" ] && alive "$(cat "$pidfile")" &&
		redis-cli -h 127.0.0.1 -p "$(cat "$dir/port")" ping >/dev/null 2>&1; then
		log "already running (pid $(cat "$pidfile"))"
		cat "$dir/addr"
		return
	fi
	rm -f "$pidfile" "$dir/addr" "$dir/port"

	local attempt port pid deadline
	for attempt in 1 2 3 4 5 6 7 8 9 10; do
		# A random high port, re-drawn when taken or when the bind loses a
		# race with another process.
		port=$((20000 + RANDOM % 40000))
		port_busy "$port" && continue
		: >"$logfile"
		redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
			--daemonize yes --pidfile "$pidfile" --logfile "$logfile" --dir "$dir" \
			--protected-mode yes >&2
		deadline=$((SECONDS + 10))
		while [ $SECONDS -lt $deadline ]; do
			# The answer must come from our process, not from another
			# server that won the port between the check and the bind.
			if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG &&
				[ "$(redis-cli -h 127.0.0.1 -p "$port" info server 2>/dev/null |
					tr -d '\r' | sed -n 's/^process_id://p')" = "$(cat "$pidfile" 2>/dev/null)" ]; then
				echo "$port" >"$dir/port"
				echo "127.0.0.1:$port" >"$dir/addr"
				log "started pid $(cat "$pidfile" 2>/dev/null || echo '?') on 127.0.0.1:$port (log: $logfile)"
				echo "127.0.0.1:$port"
				return
			fi
			if grep -qi "address already in use" "$logfile" 2>/dev/null; then
				break
			fi
			sleep 0.1
		done
		pid=$(cat "$pidfile" 2>/dev/null || true)
		if alive "$pid"; then
			kill "$pid" 2>/dev/null || true
		fi
		if ! grep -qi "address already in use" "$logfile" 2>/dev/null; then
			log "redis-server on port $port did not answer within 10 s (attempt $attempt); log:"
			cat "$logfile" >&2 || true
			exit 1
		fi
		log "port $port taken, retrying"
	done
	log "no free port found after 10 attempts"
	exit 1
}

stop() {
	[ -d "$dir" ] || { log "nothing to stop in $dir"; return; }
	local pidfile=$dir/redis.pid pid port deadline
	pid=$(cat "$pidfile" 2>/dev/null || true)
	port=$(cat "$dir/port" 2>/dev/null || true)
	if ! alive "$pid"; then
		log "not running"
		rm -f "$pidfile" "$dir/addr" "$dir/port"
		return
	fi
	if [ -n "$port" ] && command -v redis-cli >/dev/null; then
		redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
	fi
	alive "$pid" && kill "$pid" 2>/dev/null || true
	deadline=$((SECONDS + 10))
	while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
	if alive "$pid"; then
		log "pid $pid ignored SIGTERM for 10 s; killing it"
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile" "$dir/addr" "$dir/port"
	log "stopped pid $pid"
}

case $cmd in
start) start ;;
stop) stop ;;
*) usage ;;
esac
