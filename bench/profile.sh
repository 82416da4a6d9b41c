#!/usr/bin/env bash
# Instructions per round trip of the bridge, the core and the raw epoll server,
# counted by callgrind on a fixed workload (a count of requests, not a time):
# a figure that does not move with the machine's load, for A/B comparisons.
#
#   bench/profile.sh [--no-build] [--all] [--only REGEX] [--repeat K] [--json FILE] [--keep DIR]
#
#   --no-build     use the binaries already in the build directory
#   --all          also TIME 64 clients, SQUARES original 256 clients and
#                  SQUARES lines 1 and 256 clients (the key scenarios otherwise)
#   --only REGEX   only the scenarios whose name matches (bash regex)
#   --repeat K     measure each scenario K times (1..9, default 1) on the same
#                  processes; the figure is the median, every run is shown
#   --json FILE    one JSON object per figure, one a line (default
#                  bench/results/instructions.jsonl)
#   --keep DIR     keep the callgrind dumps of the two measured runs in DIR
#                  (NAME.a/.b.callgrind, and NAME.ops: the round trips between
#                  them) for callgrind_annotate and bench/callgrind_breakdown.py
#
# Each scenario: the processes run under valgrind --tool=callgrind with
# --busy_poll=0 (polling burns instructions by the wall-clock time, not by the
# work); legacy_load makes W warm-up requests per client, then N, then 2N, each
# run counted apart (callgrind_control zeroes and dumps the counters), and the
# figure is (count of the 2N run - count of the N run) / (N x clients): what
# one more round trip costs, connection set-up and teardown cancelled out.
# TIME counts connections (each one a round trip through the bridge), and its
# figure is the count of the 2N run divided by its connections.
# Environment: BENCH_BUILD_DIR (default build/bench). Every process started
# here is stopped on exit, each by its PID; every wait is bounded.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build/bench}
python=/usr/bin/python3

do_build=1
repeat=1
all=0
only=""
json=$here/results/instructions.jsonl
keep=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --no-build) do_build=0 ;;
    --all) all=1 ;;
    --repeat) repeat=$2; shift ;;
    --repeat=*) repeat=${1#*=} ;;
    --only) only=$2; shift ;;
    --only=*) only=${1#*=} ;;
    --json) json=$2; shift ;;
    --json=*) json=${1#*=} ;;
    --keep) keep=$2; shift ;;
    --keep=*) keep=${1#*=} ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "profile.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

[[ $repeat =~ ^[1-9]$ ]] || { echo "profile.sh: --repeat must be 1..9, got $repeat" >&2; exit 2; }
for tool in cmake ninja valgrind callgrind_control timeout "$python"; do
  command -v "$tool" > /dev/null ||
    { echo "profile.sh: $tool is missing (see bench/README.md)" >&2; exit 1; }
done

log() { printf '[profile %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [[ $do_build == 1 ]]; then
  log "building in $build (Release)"
  mkdir -p "$here/results/logs"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSOCKRPC_BENCH=ON \
    > "$here/results/logs/profile-configure.txt" 2>&1 ||
    { cat "$here/results/logs/profile-configure.txt" >&2; exit 1; }
  cmake --build "$build" --target rpc_server legacy_bridge legacy_load direct_squares_server \
    > "$here/results/logs/profile-build.txt" 2>&1 ||
    { tail -50 "$here/results/logs/profile-build.txt" >&2; exit 1; }
fi
rpc_server=$build/rpc_server/rpc_server
bridge=$build/legacy_bridge/legacy_bridge
legacy_load=$build/bench/legacy_load
direct=$build/bench/direct_squares_server
for binary in "$rpc_server" "$bridge" "$legacy_load" "$direct"; do
  [[ -x $binary ]] || { echo "profile.sh: missing $binary (run without --no-build)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/sockrpc-profile.XXXXXX)
started=()
# shellcheck source=bench/stop_process.sh
source "$here/stop_process.sh"
stop_pid() { stop_process "$1" 20; }  # up to 20 s: valgrind writes its last dump
cleanup() {
  local pid
  for pid in "${started[@]}"; do stop_pid "$pid"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export TZ=UTC

# start NAME PATTERN CMD...: CMD under callgrind; waits (<= 60 s) for PATTERN in
# its log. Sets $pid and $line.
start() {
  local name=$1 pattern=$2 i
  shift 2
  valgrind --tool=callgrind --log-file="$work/$name.valgrind" \
    --callgrind-out-file="$work/$name.out" "$@" > "$work/$name.log" 2>&1 &
  pid=$!
  started+=("$pid")
  for ((i = 0; i < 600; i++)); do
    if line=$(grep -m1 -E "$pattern" "$work/$name.log" 2>/dev/null); then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "profile.sh: $name did not start; its log:" >&2
  cat "$work/$name.log" "$work/$name.valgrind" >&2
  exit 1
}
address_after() {
  grep -oE "${1:+$1 }listening on [0-9.]+:[0-9]+" <<<"$2" | head -1 | grep -oE '[0-9.]+:[0-9]+$'
}

# counters VERB NAME PID...: callgrind_control VERB (-z zero, -d dump) for each
# PID; with -d, the new dump of each becomes $work/NAME.PID.
counters() {
  local verb=$1 name=$2 p newest
  shift 2
  for p in "$@"; do
    timeout 60 callgrind_control "$verb" "$p" > /dev/null 2>&1 ||
      { echo "profile.sh: callgrind_control $verb $p failed" >&2; exit 1; }
    if [[ $verb == -d ]]; then
      newest=$(ls -t "$work"/*.out.* 2>/dev/null | head -1)
      [[ -n $newest ]] || { echo "profile.sh: no dump from $p" >&2; exit 1; }
      mv "$newest" "$work/$name.$p"
    fi
  done
}

total_ir() {  # total_ir FILE: the instruction count of a callgrind dump
  awk '/^(summary|totals):/ { print $2; exit }' "$1"
}

# load MODE CLIENTS REQUESTS TARGET: one fixed run, checked; returns its ops.
load() {
  local out
  out=$(timeout 900 "$legacy_load" --target="$4" --mode="$1" --clients="$2" --requests="$3" \
    --duration=600 --op_timeout=120 --ramp_timeout=300 --drain_timeout=60 2>>"$work/load.err") ||
    { echo "profile.sh: legacy_load --mode=$1 --clients=$2 --requests=$3 failed: $out" >&2; exit 1; }
  grep -oE '"ops": [0-9]+' <<<"$out" | grep -oE '[0-9]+$'
}

mkdir -p "$(dirname "$json")"
: > "$json"
[[ -z $keep ]] || mkdir -p "$keep"
selected() { [[ -z $only || $1 =~ $only ]]; }

# measure SCENARIO SYSTEM MODE CLIENTS N TARGET NAME:PID...: prints and records
# the instructions per round trip of each named process.
measure() {
  local scenario=$1 system=$2 mode=$3 clients=$4 n=$5 target=$6
  shift 6
  local procs=("$@") pids=() entry ops_a ops_b tag a b per round runs median
  declare -A figures=()
  for entry in "${procs[@]}"; do pids+=("${entry#*:}"); done
  tag=$(tr -c 'A-Za-z0-9' '_' <<<"$scenario-$system")
  log "$scenario / $system: warm-up, then $n and $((2 * n)) requests per client (x $repeat)"
  load "$mode" "$clients" "$(( n / 5 > 0 ? n / 5 : 1 ))" "$target" > /dev/null
  sleep 0.5
  for ((round = 0; round < repeat; round++)); do
    counters -z "$tag" "${pids[@]}"
    ops_a=$(load "$mode" "$clients" "$n" "$target")
    sleep 1  # closes and stream ends reach the servers before the dump
    counters -d "$tag.a" "${pids[@]}"
    ops_b=$(load "$mode" "$clients" "$((2 * n))" "$target")
    sleep 1
    counters -d "$tag.b" "${pids[@]}"
    for entry in "${procs[@]}"; do
      a=$(total_ir "$work/$tag.a.${entry#*:}")
      b=$(total_ir "$work/$tag.b.${entry#*:}")
      # TIME: each connection is a whole operation with nothing set up before
      # it, and how many of them share one core call (coalescing) depends on
      # timing: the longer run's own count per connection is the steadier one.
      if [[ $mode == time ]]; then per=$(( b / ops_b )); else per=$(( (b - a) / (ops_b - ops_a) )); fi
      figures[$entry]="${figures[$entry]:-}${figures[$entry]:+, }$per"
      if [[ -n $keep && $round == 0 ]]; then
        cp "$work/$tag.a.${entry#*:}" "$keep/$tag.${entry%%:*}.a.callgrind"
        cp "$work/$tag.b.${entry#*:}" "$keep/$tag.${entry%%:*}.b.callgrind"
        echo "$((ops_b - ops_a))" > "$keep/$tag.ops"
      fi
    done
  done
  for entry in "${procs[@]}"; do
    runs=${figures[$entry]}
    median=$(tr ',' '\n' <<<"$runs" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    printf '%-34s %-12s %-8s %12s  %s\n' "$scenario" "$system" "${entry%%:*}" "$median" \
      "$([[ $repeat -gt 1 ]] && echo "[$runs]")"
    printf '{"scenario": "%s", "system": "%s", "process": "%s", "instructions_per_op": %d, "runs": [%s], "requests_per_client": %d, "clients": %d}\n' \
      "$scenario" "$system" "${entry%%:*}" "$median" "$runs" "$n" "$clients" >> "$json"
  done
}

# Scenario list: name, mode, clients, N (requests per client of the shorter run).
scenarios=(
  "TIME 1 client:time:1:100"
  "SQUARES original 1 client:original:1:200"
  "SQUARES original 64 clients:original:64:20"
  "SQUARES lines 64 clients:lines:64:20"
)
if [[ $all == 1 ]]; then
  scenarios+=(
    "TIME 64 clients:time:64:20"
    "SQUARES original 256 clients:original:256:8"
    "SQUARES lines 1 client:lines:1:200"
    "SQUARES lines 256 clients:lines:256:8"
  )
fi

flags=(--busy_poll=0)
# Under callgrind the core answers some fifty times slower, so at 256 clients
# the bridge's expected wait passed its shedding threshold and it answered
# most requests "overloaded": this counts the work of answering, so no shedding.
bridge_flags=(--max_connections_per_address=15000 --shed_wait_fraction=0)
printf '%-34s %-12s %-8s %12s\n' "scenario" "system" "process" "instr/op"
start core "listening on" "$rpc_server" --listen=127.0.0.1:0 "${flags[@]}"
core_pid=$pid
core_address=$(address_after "" "$line")
start bridge "SQUARES listening on" "$bridge" "${bridge_flags[@]}" "${flags[@]}" \
  --time_listen=127.0.0.1:0 --square_listen=127.0.0.1:0 --target="$core_address"
bridge_pid=$pid
bridge_time=$(address_after TIME "$line")
bridge_square=$(address_after SQUARES "$line")
start direct "SQUARES listening on" "$direct"
direct_pid=$pid
direct_time=$(address_after TIME "$line")
direct_square=$(address_after SQUARES "$line")

for spec in "${scenarios[@]}"; do
  IFS=: read -r name mode clients n <<<"$spec"
  selected "$name" || continue
  if [[ $mode == time ]]; then bt=$bridge_time dt=$direct_time; else bt=$bridge_square dt=$direct_square; fi
  measure "$name" bridge+core "$mode" "$clients" "$n" "$bt" "bridge:$bridge_pid" "core:$core_pid"
  measure "$name" direct "$mode" "$clients" "$n" "$dt" "direct:$direct_pid"
done
log "figures in $json"
