#!/usr/bin/env bash
# System calls per round trip of the bridge, the core and the raw epoll server:
# strace -c -f attached to the running processes during a fixed workload
# (legacy_load --requests=N after a warm-up), the kernel's side of what
# bench/profile.sh counts in user space.
#
#   bench/syscalls.sh [--no-build] [--only REGEX] [--busy_poll D]
#
#   --no-build      use the binaries already in the build directory
#   --only REGEX    only the scenarios whose name matches (bash regex)
#   --busy_poll D   the --busy_poll of bridge and core (default 0: polling makes
#                   calls by the clock, not by the work)
#
# Prints, per scenario and process, the calls per round trip (TIME: per
# connection) in all and the most frequent ones. The count includes the
# clients' connects and handshakes (one per client per run, over N round trips).
# Environment: BENCH_BUILD_DIR (default build/bench). Every process started
# here is stopped on exit, each by its PID; every wait is bounded.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build/bench}

do_build=1
only=""
busy_poll=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --no-build) do_build=0 ;;
    --only) only=$2; shift ;;
    --only=*) only=${1#*=} ;;
    --busy_poll) busy_poll=$2; shift ;;
    --busy_poll=*) busy_poll=${1#*=} ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "syscalls.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
for tool in strace timeout; do
  command -v "$tool" > /dev/null || { echo "syscalls.sh: $tool is missing" >&2; exit 1; }
done
if [[ $do_build == 1 ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSOCKRPC_BENCH=ON > /dev/null
  cmake --build "$build" --target rpc_server legacy_bridge legacy_load direct_squares_server > /dev/null
fi
legacy_load=$build/bench/legacy_load

work=$(mktemp -d /tmp/sockrpc-syscalls.XXXXXX)
started=()
# shellcheck source=bench/stop_process.sh
source "$here/stop_process.sh"
cleanup() {
  local pid
  for pid in "${started[@]}"; do stop_process "$pid" 5; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export TZ=UTC

start() {  # start NAME PATTERN CMD...: sets $pid and $line (<= 15 s)
  local name=$1 pattern=$2 i
  shift 2
  "$@" > "$work/$name.log" 2>&1 &
  pid=$!
  started+=("$pid")
  for ((i = 0; i < 150; i++)); do
    if line=$(grep -m1 -E "$pattern" "$work/$name.log" 2>/dev/null); then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "syscalls.sh: $name did not start:" >&2
  cat "$work/$name.log" >&2
  exit 1
}
address_after() {
  grep -oE "${1:+$1 }listening on [0-9.]+:[0-9]+" <<<"$2" | head -1 | grep -oE '[0-9.]+:[0-9]+$'
}

start core "listening on" "$build/rpc_server/rpc_server" --listen=127.0.0.1:0 --busy_poll="$busy_poll"
core_pid=$pid
core_address=$(address_after "" "$line")
start bridge "SQUARES listening on" "$build/legacy_bridge/legacy_bridge" \
  --max_connections_per_address=15000 --busy_poll="$busy_poll" \
  --time_listen=127.0.0.1:0 --square_listen=127.0.0.1:0 --target="$core_address"
bridge_pid=$pid
bridge_time=$(address_after TIME "$line")
bridge_square=$(address_after SQUARES "$line")
start direct "SQUARES listening on" "$build/bench/direct_squares_server"
direct_pid=$pid
direct_time=$(address_after TIME "$line")
direct_square=$(address_after SQUARES "$line")

# count SCENARIO SYSTEM MODE CLIENTS N TARGET NAME:PID...
count() {
  local scenario=$1 system=$2 mode=$3 clients=$4 n=$5 target=$6 entry tracers=() out ops p
  shift 6
  timeout 120 "$legacy_load" --target="$target" --mode="$mode" --clients="$clients" \
    --requests=$(( n / 5 + 1 )) --duration=100 > /dev/null
  for entry in "$@"; do
    strace -c -f -p "${entry#*:}" -o "$work/${entry%%:*}.strace" 2>/dev/null &
    tracers+=($!)
    started+=($!)
  done
  sleep 1  # strace attached to every thread
  out=$(timeout 300 "$legacy_load" --target="$target" --mode="$mode" --clients="$clients" \
    --requests="$n" --duration=250 --op_timeout=60) ||
    { echo "syscalls.sh: $scenario / $system: legacy_load failed: $out" >&2; exit 1; }
  sleep 0.5
  for p in "${tracers[@]}"; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  ops=$(grep -oE '"ops": [0-9]+' <<<"$out" | grep -oE '[0-9]+$')
  for entry in "$@"; do
    awk -v scenario="$scenario" -v sys_name="$system" -v process="${entry%%:*}" -v ops="$ops" '
      $1 ~ /^[0-9.]+$/ && $2 ~ /^[0-9.]+$/ && $4 ~ /^[0-9]+$/ {
        if ($NF == "total") total = $4; else { n++; name[n] = $NF; calls[n] = $4 }
      }
      END {
        top = ""
        for (i = 1; i <= n && i <= 6; i++) {
          best = i
          for (j = i + 1; j <= n; j++) if (calls[j] > calls[best]) best = j
          t = name[i]; name[i] = name[best]; name[best] = t
          t = calls[i]; calls[i] = calls[best]; calls[best] = t
          top = top sprintf("%s %.2f  ", name[i], calls[i] / ops)
        }
        printf "%-30s %-12s %-7s %6.2f  %s\n", scenario, sys_name, process, total / ops, top
      }' "$work/${entry%%:*}.strace"
  done
}

selected() { [[ -z $only || $1 =~ $only ]]; }
printf '%-30s %-12s %-7s %6s  %s\n' scenario system process calls "most frequent (per round trip)"
for spec in "TIME 1 client:time:1:300" "TIME 64 clients:time:64:10" \
            "SQUARES original 1 client:original:1:1000" "SQUARES original 64 clients:original:64:40" \
            "SQUARES lines 64 clients:lines:64:40" "SQUARES original 256 clients:original:256:10"; do
  IFS=: read -r name mode clients n <<<"$spec"
  selected "$name" || continue
  if [[ $mode == time ]]; then bt=$bridge_time dt=$direct_time; else bt=$bridge_square dt=$direct_square; fi
  count "$name" bridge+core "$mode" "$clients" "$n" "$bt" "bridge:$bridge_pid" "core:$core_pid"
  count "$name" direct "$mode" "$clients" "$n" "$dt" "direct:$direct_pid"
done
