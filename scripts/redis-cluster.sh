#!/usr/bin/env bash
# Start or stop a throwaway 3-master Redis Cluster on 127.0.0.1 for the Redis
# backend's cluster tests (ISA_MEMSTORE_TEST_REDIS_CLUSTER_ADDRS).
#
#   scripts/redis-cluster.sh start DIR   # prints host:port,host:port,host:port
#   scripts/redis-cluster.sh stop DIR
#
# Each node is Debian's redis-server with cluster mode on, no persistence,
# listening on 127.0.0.1 only; the slots are assigned by
# `redis-cli --cluster create ... --cluster-yes`. Pidfiles, logs, node
# configs and the address list stay in DIR. Every wait is bounded. Only the
# addresses go to stdout, so `addrs=$(... start DIR)` works.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
nodes=3

log() { echo "redis-cluster: $*" >&2; }

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# port_busy PORT: something already accepts connections there.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds or time is up.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}

ping_ok() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }

# state_ok PORT: that node sees every slot served.
state_ok() { redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | tr -d '\r' | grep -q '^cluster_state:ok$'; }

all_ok() {
	local p
	for p in "$@"; do state_ok "$p" || return 1; done
}

stop_nodes() {
	local f pid port deadline
	for f in "$dir"/node-*.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null || true)
		port=$(basename "$f" .pid)
		port=${port#node-}
		if alive "$pid"; then
			redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
			alive "$pid" && kill "$pid" 2>/dev/null || true
			deadline=$((SECONDS + 10))
			while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
			if alive "$pid"; then
				log "pid $pid ignored SIGTERM for 10 s; killing it"
				kill -9 "$pid" 2>/dev/null || true
			fi
			log "stopped node $port (pid $pid)"
		fi
		rm -f "$f"
	done
	rm -f "$dir"/nodes-*.conf "$dir/addrs"
}

start() {
	command -v redis-server >/dev/null && command -v redis-cli >/dev/null || {
		log "redis-server and redis-cli are needed (apt-get install redis-server redis-tools)"
		exit 1
	}
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ -f "$dir/addrs" ]; then
		local ports p ok=1
		ports=$(tr ',' '\n' <"$dir/addrs" | sed 's/.*://')
		for p in $ports; do state_ok "$p" || ok=0; done
		if [ $ok -eq 1 ]; then
			log "already running"
			cat "$dir/addrs"
			return
		fi
		stop_nodes
	fi

	local attempt base i port ports=() busy
	for attempt in 1 2 3 4 5 6 7 8 9 10; do
		# Ports base..base+2 and their cluster bus ports (+10000) must be free.
		base=$((20000 + RANDOM % 30000))
		busy=0
		for ((i = 0; i < nodes; i++)); do
			if port_busy $((base + i)) || port_busy $((base + i + 10000)); then busy=1; fi
		done
		[ $busy -eq 0 ] || continue
		ports=()
		for ((i = 0; i < nodes; i++)); do
			port=$((base + i))
			ports+=("$port")
			: >"$dir/node-$port.log"
			redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
				--cluster-enabled yes --cluster-config-file "$dir/nodes-$port.conf" \
				--cluster-node-timeout 5000 --daemonize yes \
				--pidfile "$dir/node-$port.pid" --logfile "$dir/node-$port.log" \
				--dir "$dir" --protected-mode yes >&2
		done
		busy=0
		for port in "${ports[@]}"; do
			if ! wait_for 10 ping_ok "$port"; then
				busy=1
				grep -qi "address already in use" "$dir/node-$port.log" || {
					log "node $port did not answer within 10 s; log:"
					cat "$dir/node-$port.log" >&2 || true
					stop_nodes
					exit 1
				}
			fi
		done
		if [ $busy -eq 1 ]; then
			log "a port was taken meanwhile, retrying"
			stop_nodes
			continue
		fi
		break
	done
	[ ${#ports[@]} -eq $nodes ] || { log "no free ports after 10 attempts"; exit 1; }

	local addrs=()
	for port in "${ports[@]}"; do addrs+=("127.0.0.1:$port"); done
	if ! timeout 60 redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >&2; then
		log "redis-cli --cluster create failed"
		stop_nodes
		exit 1
	fi
	if ! wait_for 30 all_ok "${ports[@]}"; then
		log "cluster_state did not become ok within 30 s"
		stop_nodes
		exit 1
	fi
	(IFS=,; echo "${addrs[*]}") >"$dir/addrs"
	log "started 3 masters: $(cat "$dir/addrs") (logs in $dir)"
	cat "$dir/addrs"
}

stop() {
	[ -d "$dir" ] || { log "nothing to stop in $dir"; return; }
	stop_nodes
}

case $cmd in
start) start ;;
stop) stop ;;
*) usage ;;
esac
