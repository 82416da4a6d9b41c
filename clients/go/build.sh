#!/usr/bin/env bash
# Generates the Go code of ../../proto and builds the Go client, offline, in
# GOPATH mode, from Debian's packages only:
#
#   clients/go/build.sh OUT_DIR     ->  OUT_DIR/sockrpc-go
#   clients/go/build.sh OUT_DIR MAIN_DIR NAME  ->  OUT_DIR/NAME, built from the
#       Go main package in MAIN_DIR (the benchmark's grpc-go peer, with the
#       same generated code and recipe)
#
# The generated packages come from `buf generate` with the root buf.gen.yaml
# (Debian's protoc-gen-go 1.3.5 and protoc-gen-go-grpc 1.0; see README.md for
# why this pair), written under OUT_DIR/gopath/src/github.com/sockrpc/sockrpc,
# so they sit at the import paths the protos' go_package names; nothing is
# written beside the sources. The build is GOPATH mode (GO111MODULE=off, so
# go.mod is not read) with GOPATH=OUT_DIR/gopath:/usr/share/gocode, where
# Debian's golang-* -dev packages put gRPC 1.33 and golang/protobuf 1.3: it
# needs no network. BUF overrides the buf binary (default: the project's
# tools/node_modules/.bin/buf, else buf on PATH).
set -euo pipefail

if [[ !( $# -eq 1 || $# -eq 3 ) || -z $1 ]]; then
  echo "usage: $0 OUT_DIR [MAIN_DIR NAME]" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
main_dir=$(cd "${2:-$here}" && pwd)
name=${3:-sockrpc-go}

buf=${BUF:-$root/tools/node_modules/.bin/buf}
[[ -x $buf ]] || buf=$(command -v buf || true)
if [[ -z $buf ]]; then
  echo "build.sh: buf not found (scripts/setup.sh installs it in tools/), or set BUF" >&2
  exit 1
fi
for tool in protoc-gen-go protoc-gen-go-grpc; do
  if ! command -v "$tool" >/dev/null; then
    echo "build.sh: $tool missing (apt-get install protoc-gen-go-1-3 protoc-gen-go-grpc)" >&2
    exit 1
  fi
done

gopath="$out/gopath"
base="$gopath/src/github.com/sockrpc/sockrpc"
gen="$base/clients/go/gen"
rm -rf "$base"
mkdir -p "$base"
(cd "$root" && "$buf" generate --template buf.gen.yaml -o "$base")

# A protoc-gen-go 1.4+ (APIv2) on PATH would generate messages that this
# gRPC cannot marshal; refuse it instead of building a client that fails.
if grep -q 'protoimpl' "$gen"/sockrpc/*/v1/*.pb.go; then
  echo "build.sh: the protoc-gen-go on PATH generates APIv2 code; put Debian's" \
       "protoc-gen-go-1-3 first on PATH" >&2
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
