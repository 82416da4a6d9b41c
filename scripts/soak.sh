#!/usr/bin/env bash
# Runs both processes under mixed load for a while (default 10 minutes) and
# reports memory, file descriptors and threads over time:
#   scripts/soak.sh [--minutes 10] [--faults]
# --faults: two core replicas over TLS, with replica kills, a frozen link,
# certificate rotation and a flood from one address during the load.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh default
exec /usr/bin/python3 tests/soak/soak.py --rpc-server build/default/rpc_server/rpc_server \
  --bridge build/default/legacy_bridge/legacy_bridge "$@"
