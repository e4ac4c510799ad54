#!/usr/bin/env bash
# tests/python/run.sh: the Python smoke test. Builds isa-memstore, starts it on
# a free 127.0.0.1 port, generates Python stubs from our .proto into a temp
# dir with Debian's grpc_tools, runs smoke.py under Debian's own interpreter
# (/usr/bin/python3, which has python3-grpcio; the first python3 on PATH may
# not), then stops the server with SIGTERM and checks it exited 0.
#
# Needs the Debian packages python3-grpcio, python3-protobuf and
# python3-grpc-tools; installs them with apt-get when missing and run as root.
set -euo pipefail

cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
packages=(python3-grpcio python3-protobuf python3-grpc-tools)

if ! "$PY" -c 'import grpc, google.protobuf, grpc_tools.protoc' 2>/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		echo "installing ${packages[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
	else
		echo "run.sh: $PY lacks grpc/protobuf/grpc_tools; install: apt-get install -y ${packages[*]}" >&2
		exit 1
	fi
fi

tmp=$(mktemp -d /tmp/isa-memstore-pysmoke.XXXXXX)
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "building isa-memstore"
go build -o "$tmp/isa-memstore" ./cmd/isa-memstore

mkdir "$tmp/gen"
include=$("$PY" -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')
"$PY" -m grpc_tools.protoc -I api/redispb -I "$include" \
	--python_out="$tmp/gen" --grpc_python_out="$tmp/gen" api/redispb/redis_service.proto

"$tmp/isa-memstore" --addr 127.0.0.1:0 --log-level warn >"$tmp/stdout" 2>"$tmp/stderr" &
pid=$!
addr=""
for _ in $(seq 1 300); do
	addr=$(sed -n 's/^isa-memstore .* listening on \(.*\)$/\1/p' "$tmp/stdout")
	[ -n "$addr" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$addr" ]; then
	echo "isa-memstore did not start:" >&2
	cat "$tmp/stderr" >&2
	exit 1
fi
echo "isa-memstore listening on $addr"

set +e
PYTHONPATH="$tmp/gen" "$PY" tests/python/smoke.py "$addr"
rc=$?
set -e

kill -TERM "$pid"
set +e
wait "$pid"
exit_code=$?
set -e
pid=""
if [ "$exit_code" -ne 0 ]; then
	echo "isa-memstore exited $exit_code after SIGTERM:" >&2
	cat "$tmp/stderr" >&2
	exit 1
fi
exit "$rc"
