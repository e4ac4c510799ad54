#!/usr/bin/env bash
# gen-proto.sh regenerates the checked-in Go code of the RedisService wire
# contract (api/redispb/*.pb.go) from api/redispb/redis_service.proto.
#
#   scripts/gen-proto.sh          regenerate in place
#   scripts/gen-proto.sh --check  regenerate into a temp dir; exit 1 with a diff
#                                 when the checked-in code differs
#
# Versions are pinned so that a regeneration is byte-for-byte reproducible:
# protoc is Debian's protobuf-compiler (libprotoc $PROTOC_WANT; its version is
# written into the generated header), the plugins come from tools/go.mod.
# protoc and the well-known types (libprotobuf-dev) are installed with apt when
# missing, which needs root. Set GEN_PROTO_ANY_PROTOC=1 to accept another
# protoc version (the header line then changes, and so does --check's verdict).
set -euo pipefail

PROTOC_WANT=3.21.12
PROTO_DIR=api/redispb
PROTO_FILE=redis_service.proto
GENERATED=(redis_service.pb.go redis_service_grpc.pb.go)

usage() {
	echo "usage: $0 [--check]" >&2
	exit 2
}

check=0
case $# in
0) ;;
1) [[ $1 == --check ]] || usage; check=1 ;;
*) usage ;;
esac

# Work from the repository root whatever the caller's directory.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# wkt_dir prints the directory holding google/protobuf/*.proto next to protoc,
# or nothing.
wkt_dir() {
	local p
	p=$(command -v protoc 2>/dev/null) || return 0
	for d in "$(dirname "$(dirname "$(readlink -f "$p")")")/include" /usr/include /usr/local/include; do
		if [[ -f $d/google/protobuf/timestamp.proto && -f $d/google/protobuf/duration.proto ]]; then
			echo "$d"
			return 0
		fi
	done
}

if [[ -z $(wkt_dir) ]]; then
	if [[ $(id -u) -ne 0 ]]; then
		echo "gen-proto: protoc or the protobuf well-known types are missing;" >&2
		echo "gen-proto: run as root, or: apt-get install -y protobuf-compiler libprotobuf-dev" >&2
		exit 1
	fi
	echo "gen-proto: installing protobuf-compiler and libprotobuf-dev with apt" >&2
	export DEBIAN_FRONTEND=noninteractive
	# Another apt run may hold the lock (e.g. a machine still provisioning): wait for it.
	apt_install() { apt-get -o DPkg::Lock::Timeout=600 install -y -q protobuf-compiler libprotobuf-dev; }
	if ! apt_install; then
		apt-get -o DPkg::Lock::Timeout=600 update -q
		apt_install
	fi
fi
inc=$(wkt_dir)
if [[ -z $inc ]]; then
	echo "gen-proto: protoc is installed but google/protobuf/*.proto were not found" >&2
	exit 1
fi

have=$(protoc --version | awk '{print $2}')
if [[ $have != "$PROTOC_WANT" && ${GEN_PROTO_ANY_PROTOC:-} != 1 ]]; then
	echo "gen-proto: protoc $have found, $PROTOC_WANT (Debian's protobuf-compiler) expected;" >&2
	echo "gen-proto: set GEN_PROTO_ANY_PROTOC=1 to use it anyway" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Build the pinned plugins once; go's build cache makes a rerun cheap.
go build -modfile=tools/go.mod -o "$tmp/bin/" \
	google.golang.org/protobuf/cmd/protoc-gen-go \
	google.golang.org/grpc/cmd/protoc-gen-go-grpc

# -I "$PROTO_DIR" keeps the registered file name "redis_service.proto", the
# name the original service used (server reflection shows it).
mkdir -p "$tmp/out"
protoc \
	-I "$PROTO_DIR" -I "$inc" \
	--plugin=protoc-gen-go="$tmp/bin/protoc-gen-go" \
	--plugin=protoc-gen-go-grpc="$tmp/bin/protoc-gen-go-grpc" \
	--go_out="$tmp/out" --go_opt=paths=source_relative \
	--go-grpc_out="$tmp/out" --go-grpc_opt=paths=source_relative \
	"$PROTO_FILE"

if [[ $check -eq 0 ]]; then
	for f in "${GENERATED[@]}"; do
		cp "$tmp/out/$f" "$PROTO_DIR/$f"
	done
	echo "gen-proto: regenerated ${GENERATED[*]/#/$PROTO_DIR/}"
	exit 0
fi

status=0
for f in "${GENERATED[@]}"; do
	if [[ ! -f $PROTO_DIR/$f ]]; then
		echo "gen-proto: $PROTO_DIR/$f is missing" >&2
		status=1
	elif ! diff -u "$PROTO_DIR/$f" "$tmp/out/$f" >&2; then
		status=1
	fi
done
# A generated file nobody generates any more would still compile: flag it.
for f in "$PROTO_DIR"/*.pb.go; do
	[[ -e $f ]] || continue
	case " ${GENERATED[*]} " in
	*" $(basename "$f") "*) ;;
	*) echo "gen-proto: $f is not generated from $PROTO_FILE" >&2; status=1 ;;
	esac
done
if [[ $status -ne 0 ]]; then
	echo "gen-proto: checked-in code differs from a fresh generation; run scripts/gen-proto.sh" >&2
	exit 1
fi
echo "gen-proto: $PROTO_DIR is up to date"
