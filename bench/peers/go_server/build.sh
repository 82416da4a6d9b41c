#!/usr/bin/env bash
# Builds the grpc-go peer offline, in GOPATH mode, from Debian's packages only,
# with the same recipe as clients/go/build.sh (see clients/go/README.md for
# why protoc-gen-go 1.3.5 + protoc-gen-go-grpc 1.0 and the Timestamp mapping):
#
#   bench/peers/go_server/build.sh OUT_DIR     ->  OUT_DIR/go_server
set -euo pipefail

if [[ $# -ne 1 || -z $1 ]]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
proto_root=$(cd "$here/../../../proto" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

protoc=${PROTOC:-protoc}
gen_go=${PROTOC_GEN_GO:-$(command -v protoc-gen-go || true)}
gen_go_grpc=${PROTOC_GEN_GO_GRPC:-$(command -v protoc-gen-go-grpc || true)}
proto_include=${PROTO_INCLUDE:-/usr/include}
for tool in "$gen_go" "$gen_go_grpc"; do
  if [[ -z $tool || ! -x $tool ]]; then
    echo "build.sh: protoc-gen-go or protoc-gen-go-grpc missing" \
         "(apt-get install protoc-gen-go-1-3 protoc-gen-go-grpc)" >&2
    exit 1
  fi
done

gopath="$out/gopath"
gen="$gopath/src"
rm -rf "$gen/sockrpc"
mkdir -p "$gen"
mapping=Mgoogle/protobuf/timestamp.proto=github.com/golang/protobuf/ptypes/timestamp
for dir in sockrpc/time/v1 sockrpc/square/v1; do
  "$protoc" -I "$proto_root" -I "$proto_include" \
    --plugin=protoc-gen-go="$gen_go" --plugin=protoc-gen-go-grpc="$gen_go_grpc" \
    --go_out="$mapping:$gen" --go-grpc_out="$mapping:$gen" \
    "$proto_root/$dir"/*.proto
done
if grep -q 'protoimpl' "$gen"/sockrpc/gen/go/sockrpc/*/v1/*.pb.go; then
  echo "build.sh: $gen_go generates APIv2 code; use Debian's protoc-gen-go-1-3" >&2
  exit 1
fi

if [[ -z ${GOCACHE:-} ]]; then
  cache=$(GOFLAGS= go env GOCACHE 2>/dev/null || true)
  if [[ -z $cache || $cache == off ]] || ! mkdir -p "$cache" 2>/dev/null || [[ ! -w $cache ]]; then
    export GOCACHE="$out/go-cache"
  fi
fi

cd "$here"
GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOFLAGS= GOPROXY=off \
  go build -o "$out/go_server" .
echo "built $out/go_server"
