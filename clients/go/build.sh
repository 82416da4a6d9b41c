#!/usr/bin/env bash
# Generates the Go code of ../../proto and builds the Go client, offline, in
# GOPATH mode, from Debian's packages only:
#
#   clients/go/build.sh OUT_DIR     ->  OUT_DIR/sockrpc-go
#   clients/go/build.sh OUT_DIR MAIN_DIR NAME  ->  OUT_DIR/NAME, built from the
#       Go main package in MAIN_DIR (the benchmark's grpc-go peer, with the
#       same generated code and recipe)
#
# The generated packages go to OUT_DIR/gopath/src/<go_package import path>
# (sockrpc/gen/go/sockrpc/{time,square}/v1); nothing is written beside the
# sources. GOPATH is OUT_DIR/gopath:/usr/share/gocode, where Debian's
# golang-* -dev packages put gRPC 1.33 and github.com/golang/protobuf 1.3.
#
# Plugins (see README.md for why this pair):
#   protoc-gen-go       Debian's protoc-gen-go-1-3 (1.3.5): messages, APIv1
#   protoc-gen-go-grpc  Debian's protoc-gen-go-grpc (1.0, from gRPC 1.33.3): stubs
# PROTOC, PROTOC_GEN_GO, PROTOC_GEN_GO_GRPC and PROTO_INCLUDE (where
# google/protobuf/timestamp.proto is) override the defaults.
set -euo pipefail

if [[ !( $# -eq 1 || $# -eq 3 ) || -z $1 ]]; then
  echo "usage: $0 OUT_DIR [MAIN_DIR NAME]" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
proto_root=$(cd "$here/../../proto" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
main_dir=$(cd "${2:-$here}" && pwd)
name=${3:-sockrpc-go}

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
if [[ ! -f $proto_include/google/protobuf/timestamp.proto ]]; then
  echo "build.sh: no google/protobuf/timestamp.proto in $proto_include" \
       "(apt-get install libprotobuf-dev, or set PROTO_INCLUDE)" >&2
  exit 1
fi

gopath="$out/gopath"
gen="$gopath/src"
rm -rf "$gen/sockrpc"
mkdir -p "$gen"

# protoc-gen-go 1.3 takes one Go package per run. The Timestamp is mapped to
# the APIv1 type github.com/golang/protobuf/ptypes/timestamp: the
# go_package in protobuf 3.21's timestamp.proto names the APIv2 timestamppb,
# which gRPC 1.33's codec (golang/protobuf 1.3) cannot marshal.
mapping=Mgoogle/protobuf/timestamp.proto=github.com/golang/protobuf/ptypes/timestamp
for dir in sockrpc/time/v1 sockrpc/square/v1; do
  "$protoc" -I "$proto_root" -I "$proto_include" \
    --plugin=protoc-gen-go="$gen_go" --plugin=protoc-gen-go-grpc="$gen_go_grpc" \
    --go_out="$mapping:$gen" --go-grpc_out="$mapping:$gen" \
    "$proto_root/$dir"/*.proto
done

# A protoc-gen-go 1.4+ (APIv2) on PATH would generate messages that this
# gRPC cannot marshal; refuse it instead of building a client that fails.
if grep -q 'protoimpl' "$gen"/sockrpc/gen/go/sockrpc/*/v1/*.pb.go; then
  echo "build.sh: $gen_go generates APIv2 code; use Debian's protoc-gen-go-1-3" \
       "(or set PROTOC_GEN_GO to it)" >&2
  exit 1
fi

# Go's build cache: the usual one if it is writable, else one in OUT_DIR.
if [[ -z ${GOCACHE:-} ]]; then
  cache=$(GOFLAGS= go env GOCACHE 2>/dev/null || true)
  if [[ -z $cache || $cache == off ]] || ! mkdir -p "$cache" 2>/dev/null || [[ ! -w $cache ]]; then
    export GOCACHE="$out/go-cache"
  fi
fi

# The main package's directory is outside GOPATH, which GOPATH mode allows:
# it imports the generated packages and Debian's from GOPATH.
cd "$main_dir"
GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOFLAGS= GOPROXY=off \
  go build -o "$out/$name" .
echo "built $out/$name"
