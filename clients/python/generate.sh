#!/bin/sh
# Generates the Python message and gRPC stub modules for the sockrpc protos.
#
#   clients/python/generate.sh [OUT_DIR]
#
# OUT_DIR defaults to gen/ next to this script (git-ignored). The result is
# OUT_DIR/sockrpc/{time,square}/v1/*_pb2.py and *_pb2_grpc.py, importable once
# OUT_DIR is on sys.path (sockrpc_client.py does that via --gen-dir or
# SOCKRPC_PY_GEN). Needs Debian's protobuf-compiler (protoc), libprotobuf-dev
# (google/protobuf/timestamp.proto) and protobuf-compiler-grpc
# (grpc_python_plugin). Generated code is never committed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
proto_root=$(cd "$here/../../proto" && pwd)
out=${1:-"$here/gen"}
protoc=${PROTOC:-protoc}
plugin=${GRPC_PYTHON_PLUGIN:-/usr/bin/grpc_python_plugin}

if ! command -v "$protoc" >/dev/null 2>&1; then
  echo "generate.sh: $protoc not found (Debian package protobuf-compiler)" >&2
  exit 1
fi
if [ ! -x "$plugin" ]; then
  echo "generate.sh: $plugin not found (Debian package protobuf-compiler-grpc)" >&2
  exit 1
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)

# Generate into a fresh directory beside the result, then swap it in, so a
# failed run never leaves a half-written or stale tree behind.
work=$(mktemp -d "$out/.generate.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

"$protoc" \
  --proto_path="$proto_root" \
  --python_out="$work" \
  --grpc_python_out="$work" \
  --plugin=protoc-gen-grpc_python="$plugin" \
  "$proto_root/sockrpc/time/v1/time_service.proto" \
  "$proto_root/sockrpc/square/v1/square_service.proto"

# Regular packages (not namespace packages), so no other "sockrpc" on
# sys.path can shadow or merge with the generated one.
for dir in sockrpc sockrpc/time sockrpc/time/v1 sockrpc/square sockrpc/square/v1; do
  : >"$work/$dir/__init__.py"
done

rm -rf "$out/sockrpc"
mv "$work/sockrpc" "$out/sockrpc"
echo "generated Python modules in $out/sockrpc"
