#!/usr/bin/env bash
# Sets up the machine, builds, and runs the system in the foreground:
#   rpc_server     gRPC on 0.0.0.0:$RPC_PORT (default 50051)
#   legacy_bridge  TIME on 0.0.0.0:$TIME_PORT (9999), SQUARES on 0.0.0.0:$SQUARE_PORT (50007),
#                  forwarding to the rpc_server above
# Ctrl-C (or SIGTERM) drains and stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh default

RPC_PORT="${RPC_PORT:-50051}"
TIME_PORT="${TIME_PORT:-9999}"
SQUARE_PORT="${SQUARE_PORT:-50007}"
bin=build/default

"$bin/rpc_server/rpc_server" --listen="0.0.0.0:$RPC_PORT" &
core=$!
"$bin/legacy_bridge/legacy_bridge" --target="localhost:$RPC_PORT" \
  --time_listen="0.0.0.0:$TIME_PORT" --square_listen="0.0.0.0:$SQUARE_PORT" &
bridge=$!

stop() {
  kill -TERM "$bridge" 2>/dev/null || true
  wait "$bridge" 2>/dev/null || true
  kill -TERM "$core" 2>/dev/null || true
  wait "$core" 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM

cat <<INFO
sockrpc is running (Ctrl-C stops it):
  gRPC      tools/node_modules/.bin/buf curl --protocol grpc --http2-prior-knowledge --list-methods http://localhost:$RPC_PORT
            (or: grpcurl -plaintext localhost:$RPC_PORT list)
  TIME      nc 127.0.0.1 $TIME_PORT
  SQUARES   printf 'Hi there!\\n5\\n' | nc -N 127.0.0.1 $SQUARE_PORT
INFO

# If either process ends by itself, stop the other and report failure.
wait -n "$core" "$bridge" || true
stop
exit 1
