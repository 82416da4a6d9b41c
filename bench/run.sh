#!/usr/bin/env bash
# The benchmark suite: builds what it needs, starts the system and
# its baselines on loopback, runs every scenario for a fixed time, prints one
# table and the ratios against the targets, writes bench/results/latest.json.
#
#   bench/run.sh [--quick] [--duration S] [--warmup S] [--only REGEX] [--no-build]
#
#   --quick        ~1 s per scenario (smoke run); default ~5 s
#   --duration S   measured seconds per scenario (after --warmup, default 1 s)
#   --only REGEX   run only the scenarios whose name matches (bash regex)
#   --no-build     use the binaries already in the build directory
#   --max-other C  a scenario during which other processes (neither the servers
#                  nor the load generator) kept more than C cores busy is run
#                  again, after waiting up to 30 s for a quieter machine
#                  (default 0.3; --retries N times, default 2, 0 with --quick;
#                  at most 10 minutes in all are spent on re-runs)
#   --repeat N     run every scenario N times (N passes, each on fresh
#                  processes); the table shows each figure's median run
#   --nice N       run every process of the benchmark at this niceness (e.g. -10
#                  on a machine shared with other work; negative needs root)
#   --no-instructions  skip the last stage, bench/profile.sh: instructions per
#                  round trip under callgrind on a fixed workload (~1-2 min)
#   --core-link L  how the bridge reaches its core: tcp (default, loopback) or
#                  unix (rpc_server --listen=unix:PATH, the one-pod layout); the
#                  scenarios of the core alone stay on TCP
#
# Environment: BENCH_BUILD_DIR (default build/bench), BENCH_PYTHON (default
# /usr/bin/python3, the interpreter of the original servers),
# BENCH_BRIDGE_FLAGS (more flags for every bridge, to compare settings).
# Every process started here is stopped on exit (trap), each by its PID.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build/bench}
python=${BENCH_PYTHON:-/usr/bin/python3}
legacy_dir=${SOCKRPC_LEGACY_DIR:-$root/../shared/conformance/legacy}

duration=5
warmup=1
quick=0
only=""
do_build=1
max_other=0.3
retries=2
niceness=0
repeat=1
core_link=tcp
pass=0
instructions=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) quick=1; duration=1; warmup=0.3; retries=0 ;;
    --repeat) repeat=$2; shift ;;
    --repeat=*) repeat=${1#*=} ;;
    --nice) niceness=$2; shift ;;
    --nice=*) niceness=${1#*=} ;;
    --max-other) max_other=$2; shift ;;
    --max-other=*) max_other=${1#*=} ;;
    --retries) retries=$2; shift ;;
    --retries=*) retries=${1#*=} ;;
    --duration) duration=$2; shift ;;
    --duration=*) duration=${1#*=} ;;
    --warmup) warmup=$2; shift ;;
    --warmup=*) warmup=${1#*=} ;;
    --core-link) core_link=$2; shift ;;
    --core-link=*) core_link=${1#*=} ;;
    --only) only=$2; shift ;;
    --only=*) only=${1#*=} ;;
    --no-build) do_build=0 ;;
    --no-instructions) instructions=0 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

[[ $core_link == tcp || $core_link == unix ]] ||
  { echo "run.sh: --core-link must be tcp or unix, got $core_link" >&2; exit 2; }

results=$here/results
logs=$results/logs
mkdir -p "$results" "$logs"
raw=$results/raw.jsonl
: > "$raw"
rm -f "$logs"/*.log "$logs"/*.txt 2>/dev/null || true

# Servers and checkers agree on the zone of the ctime lines.
export TZ=UTC
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# Every benchmark process runs through $run (nice and taskset exec, so PIDs stay
# the program's). $pin, when set, is the CPU list of the current scenario.
run=(nice -n "$niceness")
pin=""
all_cpus="0-$(( $(nproc) - 1 ))"
pinned() { if [[ -n $pin ]]; then echo taskset -c "$pin"; fi; }

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

for tool in cmake ninja protoc go h2load ss prlimit taskset timeout nice "$python"; do
  command -v "$tool" > /dev/null ||
    { echo "run.sh: $tool is missing (see bench/README.md for what the benchmark needs)" >&2; exit 1; }
done
[[ -d $legacy_dir ]] || { echo "run.sh: no original servers in $legacy_dir" >&2; exit 1; }

# --- build ---------------------------------------------------------------------
if [[ $do_build == 1 ]]; then
  log "building in $build (Release)"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSOCKRPC_BENCH=ON \
    > "$logs/cmake-configure.txt" 2>&1 || { cat "$logs/cmake-configure.txt" >&2; exit 1; }
  cmake --build "$build" --target rpc_server legacy_bridge legacy_load grpc_load \
    direct_squares_server > "$logs/cmake-build.txt" 2>&1 || { tail -50 "$logs/cmake-build.txt" >&2; exit 1; }
  "$here/peers/go_server/build.sh" "$build/go" > "$logs/go-build.txt" 2>&1 ||
    { cat "$logs/go-build.txt" >&2; exit 1; }
fi
rpc_server=$build/rpc_server/rpc_server
bridge=$build/legacy_bridge/legacy_bridge
# Every load generator connects from 127.0.0.1: lift the per-address cap
# (a cap at --max_connections has no effect), or the 10,000-client scenarios
# would measure the fair-share refusals instead of the bridge.
read -r -a extra_bridge_flags <<<"${BENCH_BRIDGE_FLAGS:-}"
bridge_flags=(--max_connections_per_address=15000 "${extra_bridge_flags[@]}")
legacy_load=$build/bench/legacy_load
grpc_load=$build/bench/grpc_load
direct=$build/bench/direct_squares_server
go_server=$build/go/go_server
for binary in "$rpc_server" "$bridge" "$legacy_load" "$grpc_load" "$direct" "$go_server"; do
  [[ -x $binary ]] || { echo "run.sh: missing $binary (run without --no-build)" >&2; exit 1; }
done

# --- processes -------------------------------------------------------------------
started=()   # every PID started here
# shellcheck source=bench/stop_process.sh
source "$here/stop_process.sh"

stop_pid() {  # stop_pid PID: SIGTERM, up to 5 s, then SIGKILL; forgotten afterwards
  local pid=$1 i kept=()
  for i in "${started[@]}"; do [[ $i == "$pid" ]] || kept+=("$i"); done
  started=("${kept[@]}")
  stop_process "$pid" 5
}

cleanup() {
  local pid
  for pid in "${started[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then stop_pid "$pid"; fi
  done
  if [[ -n ${sockets:-} ]]; then rm -rf "$sockets"; fi
  return 0
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# start_server LOG PATTERN CMD...: starts CMD, waits (<= 15 s) for PATTERN in LOG.
# Sets $server_pid and $server_line (the matching log line).
start_server() {
  local logfile=$1 pattern=$2 i
  shift 2
  "${run[@]}" "$@" > "$logfile" 2>&1 &
  server_pid=$!
  started+=("$server_pid")
  for ((i = 0; i < 150; i++)); do
    if server_line=$(grep -m1 -E "$pattern" "$logfile" 2>/dev/null); then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "run.sh: $1 did not start; its log ($logfile):" >&2
  cat "$logfile" >&2
  exit 1
}

# address_after WORD LINE: the host:port of "WORD listening on host:port" in LINE
# (WORD empty: the first "listening on host:port").
address_after() {
  grep -oE "${1:+$1 }listening on [0-9.]+:[0-9]+" <<<"$2" | head -1 | grep -oE '[0-9.]+:[0-9]+$'
}

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_listening PORT: up to 10 s for a listener on 127.0.0.1:PORT (no connect:
# the original SQUARES server accepts one client only).
wait_listening() {
  local i
  for ((i = 0; i < 100; i++)); do
    if ss -Hltn "sport = :$1" | grep -q .; then return 0; fi
    sleep 0.1
  done
  echo "run.sh: nothing listens on port $1" >&2
  exit 1
}

# Original Python servers: CPU-time limited (prlimit execs, so $! is Python's
# PID), output discarded, stopped by PID after their scenario.
start_python() {  # start_python SCRIPT PORT
  "${run[@]}" $(pinned) prlimit --cpu=$(( ${duration%.*} * 4 + 60 )) "$python" "$legacy_dir/$1" "$2" > /dev/null 2>&1 &
  server_pid=$!
  started+=("$server_pid")
  wait_listening "$2"
}

# --- scenarios -------------------------------------------------------------------
selected() { [[ -z $only || $1 =~ $only ]]; }
failures=0

# noisy RESULT_LINE: true if, during the window, the machine was saturated (less
# than 0.2 core idle) while other processes (neither the servers nor the load
# generator) held more than --max-other cores: they took CPU the scenario could
# have used. (Others running on a core the scenario leaves idle do not count.)
noisy() {
  awk -v limit="$max_other" -v cores="$(nproc)" '
    function field(name,   v) {
      if (match($0, "\"" name "\": [0-9.]+")) return substr($0, RSTART + length(name) + 4, RLENGTH - length(name) - 4) + 0
      return 0
    }
    {
      t = field("seconds"); o = field("other_cpu_s"); m = field("machine_cpu_s")
      exit !(t > 0 && m / t > cores - 0.2 && o / t > limit)
    }' <<<"$1"
}

retry_spent=0  # seconds spent on re-runs so far (bounded by 600)
may_retry() {  # may_retry ATTEMPT RESULT_LINE
  (( $1 < retries && retry_spent < 600 )) && noisy "$2"
}

again() { if (( $1 > 0 )); then echo " (again: other processes were busy)"; fi; }

# quiet PIDS...: wait (<= 30 s) for a quieter machine; prints the other load seen.
quiet() { "$python" "$here/report.py" quiet --max-wait 30 --threshold "$max_other" "$@"; }

# load_once TOOL SCENARIO SYSTEM PIDS ARGS...: one run; the result line in $result_line.
load_once() {
  local tool=$1 scenario=$2 system=$3 pids=$4 status
  shift 4
  result_line=$("${run[@]}" $(pinned) timeout -k 5 $(( ${duration%.*} + 200 )) "$build/bench/$tool" \
        --scenario="$scenario" --system="$system" --pids="$pids" \
        --duration="$duration" --warmup="$warmup" "$@" 2>>"$logs/load-stderr.txt") && status=0 || status=$?
  if [[ $result_line != \{* ]]; then
    failures=$((failures + 1))
    result_line=$(printf '{"tool": "%s", "scenario": "%s", "system": "%s", "mode": "", "ops": 0, "seconds": 0, "ops_per_s": 0, "mean_us": 0, "p50_us": 0, "p90_us": 0, "p99_us": 0, "p999_us": 0, "max_us": 0, "errors": 1, "first_error": "load generator exited with status %s and no result", "servers": []}' \
      "$tool" "$scenario" "$system" "$status")
  fi
}

# load TOOL SCENARIO SYSTEM PIDS ARGS...: one result line in $raw, re-run (up to
# --retries times) when the machine was busy with other work meanwhile.
load() {
  local scenario=$2 system=$3 pids=$4 attempt
  selected "$scenario" || return 0
  for ((attempt = 0; ; attempt++)); do
    log "$scenario / $system$(again "$attempt")"
    load_once "$@"
    may_retry "$attempt" "$result_line" || break
    started_retry=$SECONDS
    quiet ${pids//,/ } > /dev/null
    retry_spent=$((retry_spent + SECONDS - started_retry + ${duration%.*} + 2))
  done
  printf '%s\n' "${result_line%\}}, \"attempts\": $((attempt + 1)), \"pass\": $pass}" >> "$raw"
  sleep 0.3  # let the servers settle (closed connections, finished streams)
}

# python_squares SCENARIO ARGS...: the original SQUARES server serves one client,
# once: a fresh one per attempt, stopped by its PID right after.
python_squares() {
  local scenario=$1 attempt port
  shift
  selected "$scenario" || return 0
  for ((attempt = 0; ; attempt++)); do
    port=$(free_port)
    start_python square_server_original.py "$port"
    log "$scenario / python$(again "$attempt")"
    load_once legacy_load "$scenario" python "$server_pid" --target="127.0.0.1:$port" --mode=original --clients=1 "$@"
    stop_pid "$server_pid"
    may_retry "$attempt" "$result_line" || break
    started_retry=$SECONDS
    quiet > /dev/null
    retry_spent=$((retry_spent + SECONDS - started_retry + ${duration%.*} + 2))
  done
  printf '%s\n' "${result_line%\}}, \"attempts\": $((attempt + 1)), \"pass\": $pass}" >> "$raw"
  sleep 0.3
}

# h2load_square SCENARIO SYSTEM PID ADDRESS: unary Square by h2load, -c16 -m32
# (16 connections, 32 streams each), no warm-up; every request counted.
h2load_square() {
  local scenario=$1 system=$2 pid=$3 address=$4 tag attempt load_cpu
  local TIMEFORMAT='%U %S'
  selected "$scenario" || return 0
  tag=$logs/h2load-$system
  # One gRPC message: 5-byte prefix + SquareRequest{value: 12} (08 0c).
  printf '\x00\x00\x00\x00\x02\x08\x0c' > "$tag.body"
  for ((attempt = 0; ; attempt++)); do
    log "$scenario / $system$(again "$attempt")"
    "$python" "$here/report.py" snapshot "$pid" > "$tag.before"
    { time "${run[@]}" timeout -k 5 $(( ${duration%.*} + 60 )) h2load -c16 -m32 -t1 \
        -D "$(awk -v d="$duration" 'BEGIN { printf "%dms", d * 1000 }')" \
        -H 'content-type: application/grpc' -H 'te: trailers' -d "$tag.body" \
        --log-file="$tag.requests" "http://$address/sockrpc.square.v1.SquareService/Square" \
        > "$tag.stdout" 2>&1 ; } 2> "$tag.time" || true
    "$python" "$here/report.py" snapshot "$pid" > "$tag.after"
    load_cpu=$(awk '{print $1 + $2}' "$tag.time" 2>/dev/null || echo 0)
    result_line=$("$python" "$here/report.py" h2load --before "$tag.before" --after "$tag.after" \
      --stdout "$tag.stdout" --log "$tag.requests" --scenario "$scenario" --system "$system" \
      --pids "$pid" --load-cpu-s "${load_cpu:-0}" --options "-c16 -m32 -t1")
    rm -f "$tag.requests"
    may_retry "$attempt" "$result_line" || break
    started_retry=$SECONDS
    quiet "$pid" > /dev/null
    retry_spent=$((retry_spent + SECONDS - started_retry + ${duration%.*} + 2))
  done
  printf '%s\n' "${result_line%\}}, \"attempts\": $((attempt + 1)), \"pass\": $pass}" >> "$raw"
  sleep 0.3
}

# --- machine and run description ---------------------------------------------------
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
"$python" - "$results/meta.json" <<EOF
import json, os, platform, sys, time
meta = {
  "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
  "nproc": os.cpu_count(),
  "cpu_model": "$cpu_model",
  "kernel": platform.release(),
  "duration_s": float("$duration"), "warmup_s": float("$warmup"), "quick": bool($quick), "repeat": int("$repeat"),
  "nice": int("$niceness"), "max_other_cores": float("$max_other"), "retries": int("$retries"),
  "loadavg_start": open("/proc/loadavg").read().split()[:3],
  "build": "$build (Release)", "core_link": "$core_link",
}
json.dump(meta, open(sys.argv[1], "w"))
EOF
log "machine: $(nproc) x $cpu_model; load average $(cut -d' ' -f1-3 /proc/loadavg)"
log "each scenario: ${warmup}s warm-up + ${duration}s measured"

# --- the systems ------------------------------------------------------------------
stop_if_running() { if [[ -n ${1:-} ]]; then stop_pid "$1"; fi; }

# start_hop_core LOG [taskset...]: the core a bridge talks to, over --core-link;
# sets server_pid and hop_target.
sockets=$(mktemp -d /tmp/sockrpc-bench.XXXXXX)
start_hop_core() {
  local log=$1; shift
  if [[ $core_link == unix ]]; then
    hop_target="unix:$sockets/core-$pass-$(basename "$log" .log).sock"
    start_server "$log" 'listening on' "$@" "$rpc_server" --listen="$hop_target"
  else
    start_server "$log" 'listening on' "$@" "$rpc_server" --listen=127.0.0.1:0
    hop_target=$(address_after "" "$server_line")
  fi
}

# start_system: a fresh core and bridge in front of it. With --core-link unix
# the bridge has a core of its own on a Unix socket (hop_core_pid); core_pid,
# on TCP, serves the scenarios of the core alone.
core_pid="" hop_core_pid="" bridge_pid="" go_pid="" direct_pid=""
start_system() {
  stop_if_running "$bridge_pid"
  if [[ $hop_core_pid != "$core_pid" ]]; then stop_if_running "$hop_core_pid"; fi
  stop_if_running "$core_pid"
  start_server "$logs/rpc_server-$pass-$1.log" 'listening on' "$rpc_server" --listen=127.0.0.1:0
  core_pid=$server_pid
  core_address=$(address_after "" "$server_line")
  hop_core_pid=$core_pid hop_target=$core_address
  if [[ $core_link == unix ]]; then
    start_hop_core "$logs/rpc_server-$pass-$1-unix.log"
    hop_core_pid=$server_pid
  fi
  start_server "$logs/legacy_bridge-$pass-$1.log" 'SQUARES listening on' \
    "$bridge" "${bridge_flags[@]}" --time_listen=127.0.0.1:0 --square_listen=127.0.0.1:0 --target="$hop_target"
  bridge_pid=$server_pid
  bridge_time=$(address_after TIME "$server_line")
  bridge_square=$(address_after SQUARES "$server_line")
}
start_go() {
  stop_if_running "$go_pid"
  start_server "$logs/go_server-$pass.log" 'listening on' "$go_server" --listen=127.0.0.1:0
  go_pid=$server_pid
  go_address=$(address_after "" "$server_line")
}
start_direct() {
  stop_if_running "$direct_pid"
  start_server "$logs/direct-$pass-$1.log" 'SQUARES listening on' "$direct"
  direct_pid=$server_pid
  direct_time=$(address_after TIME "$server_line")
  direct_square=$(address_after SQUARES "$server_line")
}

# One pass over every scenario, on fresh processes.
run_pass() {
  local rpc name c spec mode n label d python_time_pid="" port cpus cpu_list
  local scaled_pid scaled_address scaled_bridge_pid scaled_square scaled_go_pid
  local scaled_go_address unary streams squares one_core_pid one_core_address one_bridge_pid
  local one_direct_pid
  start_system main
  start_go
  start_direct main
  log "core $core_address (pid $core_pid), bridge TIME $bridge_time SQUARES $bridge_square" \
      "(pid $bridge_pid), grpc-go $go_address (pid $go_pid)," \
      "direct TIME $direct_time SQUARES $direct_square (pid $direct_pid)"
  # --- 1. unary calls: core vs grpc-go ------------------------------------------------
  h2load_square "unary Square h2load c16 m32" core "$core_pid" "$core_address"
  h2load_square "unary Square h2load c16 m32" grpc-go "$go_pid" "$go_address"
  for rpc in square now; do
    name=$([[ $rpc == square ]] && echo Square || echo Now)
    for c in 1 16 256; do
      load grpc_load "unary $name c$c" core "$core_pid" --target="$core_address" --rpc=$rpc --concurrency=$c
      load grpc_load "unary $name c$c" grpc-go "$go_pid" --target="$go_address" --rpc=$rpc --concurrency=$c
    done
  done

  # --- 2. SquareStream ------------------------------------------------------------------
  for spec in "lockstep w1:--streams=1 --window=1" "pipelined w64:--streams=1 --window=64" \
              "100 streams w1:--streams=100 --window=1"; do
    name="SquareStream ${spec%%:*}"
    read -r -a stream_args <<<"${spec#*:}"
    load grpc_load "$name" core "$core_pid" --target="$core_address" --rpc=stream "${stream_args[@]}"
    load grpc_load "$name" grpc-go "$go_pid" --target="$go_address" --rpc=stream "${stream_args[@]}"
  done

  # --- 2b. 1 CPU vs 2 CPUs -----------------------------------------------------------------
  # Fresh processes per case, started with --threads=N (grpc-go: GOMAXPROCS=N):
  # on 1 CPU the servers are pinned to CPU 1 and the load generator to CPU 0;
  # on 2 CPUs nothing is pinned. The gRPC loads square 4,000-digit numbers, so
  # that the servers' work, not the load generator's, sets the pace
  # (bench/README.md, "Choices made for fairness").
  if (( $(nproc) >= 2 )); then
    for cpus in 1 2; do
      label=$([[ $cpus == 1 ]] && echo "1 CPU" || echo "2 CPUs")
      unary="unary Square 4000 digits c64 16 channels, $label"
      streams="SquareStream 100 streams w1 4000 digits, $label"
      squares="SQUARES original 256 clients, $label"
      selected "$unary" || selected "$streams" || selected "$squares" || continue
      cpu_list=$([[ $cpus == 1 ]] && echo 1 || echo "$all_cpus")
      start_server "$logs/rpc_server-$pass-${cpus}cpu.log" 'listening on' \
        taskset -c "$cpu_list" "$rpc_server" --listen=127.0.0.1:0 --threads=$cpus
      scaled_pid=$server_pid
      scaled_address=$(address_after "" "$server_line")
      start_server "$logs/legacy_bridge-$pass-${cpus}cpu.log" 'SQUARES listening on' \
        taskset -c "$cpu_list" "$bridge" "${bridge_flags[@]}" --time_listen=127.0.0.1:0 --square_listen=127.0.0.1:0 \
        --target="$scaled_address" --threads=$cpus
      scaled_bridge_pid=$server_pid
      scaled_square=$(address_after SQUARES "$server_line")
      start_server "$logs/go_server-$pass-${cpus}cpu.log" 'listening on' \
        env GOMAXPROCS=$cpus taskset -c "$cpu_list" "$go_server" --listen=127.0.0.1:0
      scaled_go_pid=$server_pid
      scaled_go_address=$(address_after "" "$server_line")
      pin=$([[ $cpus == 1 ]] && echo 0 || echo "")
      load grpc_load "$unary" core "$scaled_pid" --target="$scaled_address" --rpc=square --concurrency=64 --channels=16 --digits=4000
      load grpc_load "$unary" grpc-go "$scaled_go_pid" --target="$scaled_go_address" --rpc=square --concurrency=64 --channels=16 --digits=4000
      load grpc_load "$streams" core "$scaled_pid" --target="$scaled_address" --rpc=stream --streams=100 --window=1 --digits=4000
      load grpc_load "$streams" grpc-go "$scaled_go_pid" --target="$scaled_go_address" --rpc=stream --streams=100 --window=1 --digits=4000
      load legacy_load "$squares" bridge+core "$scaled_bridge_pid,$scaled_pid" --target="$scaled_square" --mode=original --clients=256
      pin=""
      stop_pid "$scaled_go_pid"
      stop_pid "$scaled_bridge_pid"
      stop_pid "$scaled_pid"
    done
  fi

  # --- 3. SQUARES through the bridge vs the direct answer ---------------------------------
  python_squares "SQUARES original 1 client"
  # The same with the load generator and the server(s) on one core: a lockstep
  # round trip without the VM's cross-core wake-ups (see README, "1 core").
  one_core="SQUARES original 1 client, 1 core"
  if selected "$one_core"; then
    # Fresh processes started on CPU 0, as on a one-CPU machine: the core and
    # the bridge size their threads from their affinity (one each), the raw
    # epoll server is told --threads=1.
    pin=0
    python_squares "$one_core"
    start_hop_core "$logs/rpc_server-$pass-1core.log" taskset -c "$pin"
    one_core_pid=$server_pid
    one_core_address=$hop_target
    start_server "$logs/legacy_bridge-$pass-1core.log" 'SQUARES listening on' \
      taskset -c "$pin" "$bridge" "${bridge_flags[@]}" --time_listen=127.0.0.1:0 --square_listen=127.0.0.1:0 \
      --target="$one_core_address"
    one_bridge_pid=$server_pid
    load legacy_load "$one_core" bridge+core "$one_bridge_pid,$one_core_pid" \
      --target="$(address_after SQUARES "$server_line")" --mode=original --clients=1
    stop_pid "$one_bridge_pid"
    # The ceiling of any bridge here: one lockstep gRPC round trip alone, a C++
    # client straight to the same core on the same CPU (one SquareStream
    # message in flight). The bridge makes this hop and the client's TCP hop.
    load grpc_load "$one_core" "gRPC hop alone" "$one_core_pid" \
      --target="$one_core_address" --rpc=stream --streams=1 --window=1
    stop_pid "$one_core_pid"
    start_server "$logs/direct-$pass-1core.log" 'SQUARES listening on' \
      taskset -c "$pin" "$direct" --threads=1
    one_direct_pid=$server_pid
    load legacy_load "$one_core" direct "$one_direct_pid" \
      --target="$(address_after SQUARES "$server_line")" --mode=original --clients=1
    stop_pid "$one_direct_pid"
    pin=""
  fi
  for mode in original lines; do
    for n in 1 64 256 1000 10000; do
      label=$([[ $n == 1 ]] && echo "1 client" || echo "$n clients")
      load legacy_load "SQUARES $mode $label" bridge+core "$bridge_pid,$hop_core_pid" --target="$bridge_square" --mode=$mode --clients=$n
      load legacy_load "SQUARES $mode $label" direct "$direct_pid" --target="$direct_square" --mode=$mode --clients=$n
    done
  done

  # Overload: a core that cannot keep up (CPU 0, one serving thread) under 1,000
  # line clients with 4,000-digit numbers, behind a bridge with a 500 ms
  # deadline. The result's "shed" counts the messages answered
  # "ERROR service overloaded; try again"; its p99 is that of the served ones.
  overload="SQUARES overload 4000 digits 1000 clients, core on 1 CPU"
  if selected "$overload"; then
    start_server "$logs/rpc_server-$pass-overload.log" 'listening on' \
      taskset -c 0 "$rpc_server" --listen=127.0.0.1:0 --threads=1
    overload_core_pid=$server_pid
    overload_core_address=$(address_after "" "$server_line")
    start_server "$logs/legacy_bridge-$pass-overload.log" 'SQUARES listening on' \
      "$bridge" --time_listen=127.0.0.1:0 --square_listen=127.0.0.1:0 --deadline=500ms \
      --target="$overload_core_address"
    overload_bridge_pid=$server_pid
    load legacy_load "$overload" bridge+core "$overload_bridge_pid,$overload_core_pid" \
      --target="$(address_after SQUARES "$server_line")" --mode=lines --clients=1000 --digits=4000
    stop_pid "$overload_bridge_pid"
    stop_pid "$overload_core_pid"
  fi

  # --- 4. TIME -------------------------------------------------------------------------
  if selected "TIME 1 client" || selected "TIME 64 clients"; then
    port=$(free_port)
    start_python time_server_original.py "$port"
    python_time_pid=$server_pid
    python_time="127.0.0.1:$port"
  fi
  for n in 1 64; do
    label=$([[ $n == 1 ]] && echo "1 client" || echo "$n clients")
    load legacy_load "TIME $label" bridge+core "$bridge_pid,$hop_core_pid" --target="$bridge_time" --mode=time --clients=$n
    load legacy_load "TIME $label" direct "$direct_pid" --target="$direct_time" --mode=time --clients=$n
    if [[ -n $python_time_pid ]]; then
      load legacy_load "TIME $label" python "$python_time_pid" --target="$python_time" --mode=time --clients=$n
    fi
  done
  if [[ -n $python_time_pid ]]; then stop_pid "$python_time_pid"; fi

  # --- 5. big numbers --------------------------------------------------------------------
  for d in 10 1000 4000; do
    load grpc_load "unary Square $d digits c16" core "$core_pid" --target="$core_address" --rpc=square --concurrency=16 --digits=$d
    load grpc_load "unary Square $d digits c16" grpc-go "$go_pid" --target="$go_address" --rpc=square --concurrency=16 --digits=$d
    load legacy_load "SQUARES original $d digits 1 client" bridge+core "$bridge_pid,$hop_core_pid" --target="$bridge_square" --mode=original --clients=1 --digits=$d
    load legacy_load "SQUARES original $d digits 1 client" direct "$direct_pid" --target="$direct_square" --mode=original --clients=1 --digits=$d
    # The original reads recv(1024) and Python 3.11 refuses str() of > 4300 digits:
    # it serves 10 and 1,000 digits, not 4,000.
    if [[ $d != 4000 ]]; then python_squares "SQUARES original $d digits 1 client" --digits=$d; fi
    load legacy_load "SQUARES original $d digits 64 clients" bridge+core "$bridge_pid,$hop_core_pid" --target="$bridge_square" --mode=original --clients=64 --digits=$d
    load legacy_load "SQUARES original $d digits 64 clients" direct "$direct_pid" --target="$direct_square" --mode=original --clients=64 --digits=$d
  done

  # --- 6. 10,000 idle handshaked sessions on fresh processes --------------------------------
  idle_name="SQUARES 10000 idle sessions + 1 client"
  if selected "$idle_name"; then
    start_system idle
    load legacy_load "$idle_name" bridge+core "$bridge_pid,$hop_core_pid" --target="$bridge_square" --mode=idle --clients=10000
    start_direct idle
    load legacy_load "$idle_name" direct "$direct_pid" --target="$direct_square" --mode=idle --clients=10000
  fi
}

for ((pass = 1; pass <= repeat; pass++)); do
  log "pass $pass of $repeat"
  run_pass
done
stop_if_running "$bridge_pid"; stop_if_running "$core_pid"; stop_if_running "$go_pid"; stop_if_running "$direct_pid"
if [[ $hop_core_pid != "$core_pid" ]]; then stop_if_running "$hop_core_pid"; fi

instruction_args=()
if [[ $instructions == 1 ]]; then
  log "instructions per round trip (bench/profile.sh)"
  if "$here/profile.sh" --no-build --json "$results/instructions.jsonl" > /dev/null 2>> "$logs/profile.txt"; then
    instruction_args=(--instructions "$results/instructions.jsonl")
  else
    failures=$((failures + 1))
    echo "run.sh: bench/profile.sh failed; see $logs/profile.txt" >&2
  fi
fi

# --- report -------------------------------------------------------------------------
"$python" - "$results/meta.json" <<'EOF'
import json, sys
meta = json.load(open(sys.argv[1]))
meta["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
json.dump(meta, open(sys.argv[1], "w"))
EOF
echo
echo "sockrpc benchmark: $(date '+%Y-%m-%d %H:%M %Z'), $(nproc) x $cpu_model," \
     "${warmup}s warm-up + ${duration}s per scenario"
"$python" "$here/report.py" table --raw "$raw" --meta "$results/meta.json" --out "$results/latest.json" \
  "${instruction_args[@]}"
if [[ $failures -gt 0 ]]; then
  echo "$failures load generator run(s) produced no result; see $logs/load-stderr.txt" >&2
  exit 1
fi
