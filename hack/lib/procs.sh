# Shell helpers for scripts that run Fledge's processes locally (hack/demo.sh): start a process in the
# background with its output in a log directory, wait for the line it prints once ready, find a free port,
# and stop everything that was started when the script ends — normally, on error or on Ctrl-C.
#
# Usage: set FLEDGE_LOG_DIR, source this file, call fledge_install_traps once.

FLEDGE_PIDS=()
FLEDGE_NAMES=()

# fledge_start NAME COMMAND [ARGS...]: runs COMMAND in the background; stdout goes to $FLEDGE_LOG_DIR/NAME.out,
# stderr to $FLEDGE_LOG_DIR/NAME.log. Sets FLEDGE_LAST_PID.
fledge_start() {
  local name=$1; shift
  "$@" >>"$FLEDGE_LOG_DIR/$name.out" 2>>"$FLEDGE_LOG_DIR/$name.log" </dev/null &
  FLEDGE_LAST_PID=$!
  FLEDGE_PIDS+=("$FLEDGE_LAST_PID")
  FLEDGE_NAMES+=("$name")
}

# fledge_wait_line NAME PID PREFIX [TIMEOUT_SECONDS]: waits until NAME's stdout has a line starting with PREFIX
# and prints the rest of that line. Fails, showing the log's tail, if the process exits first or time runs out.
fledge_wait_line() {
  local name=$1 pid=$2 prefix=$3 timeout=${4:-60}
  local out="$FLEDGE_LOG_DIR/$name.out" waited=0 line
  while :; do
    line=$(grep -m1 "^$prefix" "$out" 2>/dev/null || true)
    if [ -n "$line" ]; then
      printf '%s\n' "${line#"$prefix"}"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited before printing \"$prefix\"; the end of $FLEDGE_LOG_DIR/$name.log:" >&2
      tail -n 20 "$FLEDGE_LOG_DIR/$name.log" >&2
      return 1
    fi
    if [ "$waited" -ge $((timeout * 10)) ]; then
      echo "$name did not print \"$prefix\" within ${timeout}s; the end of $FLEDGE_LOG_DIR/$name.log:" >&2
      tail -n 20 "$FLEDGE_LOG_DIR/$name.log" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# fledge_wait_http URL [TIMEOUT_SECONDS]: waits until URL answers HTTP 200.
fledge_wait_http() {
  local url=$1 timeout=${2:-60}
  python3 - "$url" "$timeout" <<'EOF'
import sys, time, urllib.request
url, deadline = sys.argv[1], time.time() + float(sys.argv[2])
while time.time() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except Exception:
        pass
    time.sleep(0.2)
print(f"{url} did not answer 200 in time", file=sys.stderr)
sys.exit(1)
EOF
}

# fledge_free_port: prints a TCP port on 127.0.0.1 nothing listens on now.
fledge_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# fledge_stop_all: SIGTERM to every process started, up to 10 s for them to exit, then SIGKILL. Idempotent.
fledge_stop_all() {
  local pid i
  [ "${#FLEDGE_PIDS[@]}" -gt 0 ] || return 0
  for pid in "${FLEDGE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for i in $(seq 1 100); do
    local alive=0
    for pid in "${FLEDGE_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${FLEDGE_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  FLEDGE_PIDS=()
}

# fledge_install_traps: stop everything on exit, and turn Ctrl-C / SIGTERM into an exit (which stops everything).
fledge_install_traps() {
  trap 'fledge_stop_all' EXIT
  trap 'echo; echo "interrupted: stopping every process started" >&2; exit 130' INT
  trap 'exit 143' TERM
}

# fledge_wait_baseline PROMETHEUS_URL SERVICE NAMESPACE VERSION [SAMPLES] [TIMEOUT_SECONDS]: waits until Prometheus
# holds at least SAMPLES scrapes (default 5) of the stable track of VERSION. The analysis reads stable's latency
# histogram from before the canary starts to fix its latency thresholds; a canary started right after the
# previous promotion would find none.
fledge_wait_baseline() {
  python3 - "$@" <<'PYEOF'
import json, sys, time, urllib.parse, urllib.request
url, service, namespace, version = sys.argv[1:5]
samples = int(sys.argv[5]) if len(sys.argv) > 5 else 5
deadline = time.time() + (float(sys.argv[6]) if len(sys.argv) > 6 else 120)
selector = (f'http_server_request_duration_seconds_count{{service_name="{service}",service_namespace="{namespace}",'
            f'deployment_track="stable",service_version="{version}"}}')
query = urllib.parse.urlencode({"query": f"max(count_over_time({selector}[1m]))"})
while time.time() < deadline:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/query?{query}", timeout=5) as r:
            result = json.load(r)["data"]["result"]
            if result and float(result[0]["value"][1]) >= samples:
                sys.exit(0)
    except Exception:
        pass
    time.sleep(0.5)
print(f"Prometheus has no {samples} scrapes of {service} {version} (stable) yet", file=sys.stderr)
sys.exit(1)
PYEOF
}
