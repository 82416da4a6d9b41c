# Sourced by the bench scripts: stop_process PID SECONDS sends SIGTERM, waits
# up to SECONDS for the process to exit, then sends SIGKILL, and reaps it.
stop_process() {
  local pid=$1 seconds=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < seconds * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
