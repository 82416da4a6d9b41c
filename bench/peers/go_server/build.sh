#!/usr/bin/env bash
# Builds the grpc-go peer offline, from Debian's packages only, with the Go
# client's recipe and generated code (clients/go/build.sh; see
# clients/go/README.md for why protoc-gen-go 1.3.5 + protoc-gen-go-grpc 1.0):
#
#   bench/peers/go_server/build.sh OUT_DIR     ->  OUT_DIR/go_server
set -euo pipefail

if [[ $# -ne 1 || -z $1 ]]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "$here/../../../clients/go/build.sh" "$1" "$here" go_server
