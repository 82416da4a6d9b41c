#!/usr/bin/env bash
# Sets up the machine, builds, and runs the system in the foreground:
#   rpc_server  gRPC on 0.0.0.0:50051 (override with RPC_LISTEN)
# Extra arguments go to rpc_server. Ctrl-C drains and stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh default

bin=build/default
exec "$bin/rpc_server/rpc_server" --listen="${RPC_LISTEN:-0.0.0.0:50051}" "$@"
