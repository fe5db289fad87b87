#!/usr/bin/env bash
# make demo: a complete canary rollout on this machine, with no cluster.
#
# Starts the Kubernetes API emulator (with pods), the workload simulator (plays each pod's app and serves its
# HTTP metrics), a real Prometheus scraping it every second, and the Fledge controller; applies the Rollout CRD
# and the "shop" Rollout from manifests/examples/demo/ with real kubectl; then:
#   v1  deployed as stable (20 pods);
#   v2  a good version, walked 5% -> 25% -> 50% -> 100% with an analysis before each step: promoted;
#   v3  a bad version (8% errors): rolled back at its first analysis, with the failing check's numbers.
# Prints one line per change of the Rollout and every analysis verdict with its numbers.
# Exits 0 only if v2 was promoted and v3 rolled back. Every process it started is stopped on exit (also on
# Ctrl-C); their logs stay in the directory printed at the start.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source hack/lib/procs.sh

NAMESPACE=default
RATE=${FLEDGE_DEMO_RATE:-20000}   # requests per second to the shop service (all its pods together)
KUBECTL="$ROOT/.venv/bin/kubectl"
DEMO="$ROOT/manifests/examples/demo"
[ -x "$KUBECTL" ] || { echo "demo: $KUBECTL is missing: run make deps" >&2; exit 1; }
command -v prometheus >/dev/null || { echo "demo: prometheus is missing: run make deps" >&2; exit 1; }

echo "==> building fledge-emulator, fledge-controller, fledge-workload"
# swift build takes one --product, so three calls; the second and third mostly find everything built.
for product in fledge-emulator fledge-controller fledge-workload; do
  if ! swift build --product "$product" >"/tmp/fledge-demo-build-$$.log" 2>&1; then
    tail -n 30 "/tmp/fledge-demo-build-$$.log" >&2
    rm -f "/tmp/fledge-demo-build-$$.log"
    echo "demo: building $product failed" >&2
    exit 1
  fi
done
rm -f "/tmp/fledge-demo-build-$$.log"
BIN=$(swift build --show-bin-path)

started=$(date +%s)   # the demo's clock starts after the build
elapsed() { echo "$(( $(date +%s) - started ))s"; }

FLEDGE_LOG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/fledge-demo.XXXXXX")
export FLEDGE_LOG_DIR
fledge_install_traps
echo "==> logs of every process: $FLEDGE_LOG_DIR"

export KUBECONFIG="$FLEDGE_LOG_DIR/kubeconfig"
export KUBECACHEDIR="$FLEDGE_LOG_DIR/kube-cache"
export KUBECTL_KUBERC=false
k() { "$KUBECTL" "$@"; }

echo "==> starting the Kubernetes API emulator (pods ready 1s after a change)"
fledge_start emulator "$BIN/fledge-emulator" --port 0 --kubeconfig-out "$KUBECONFIG" --deployment-ready-delay 1s
emulator_pid=$FLEDGE_LAST_PID
echo "    emulator: http://$(fledge_wait_line emulator "$emulator_pid" "listening on http://")"

echo "==> kubectl apply -k crds/"
k apply -k crds/ | sed 's/^/    /'
k wait --for=condition=Established --timeout=60s crd/rollouts.fledge.dev | sed 's/^/    /'

echo "==> starting the workload simulator ($RATE requests/s to shop, split over its ready pods)"
fledge_start workload "$BIN/fledge-workload" --kubeconfig "$KUBECONFIG" --namespace "$NAMESPACE" --rate "$RATE" \
  --write-prometheus-config "$FLEDGE_LOG_DIR/prometheus.yml" --scrape-interval 1s
workload_pid=$FLEDGE_LAST_PID
echo "    workload: http://$(fledge_wait_line workload "$workload_pid" "listening on http://")"
for _ in $(seq 1 100); do [ -s "$FLEDGE_LOG_DIR/prometheus.yml" ] && break; sleep 0.1; done

prometheus_port=$(fledge_free_port)
PROMETHEUS="http://127.0.0.1:$prometheus_port"
echo "==> starting Prometheus at $PROMETHEUS (scrapes the simulator every second)"
fledge_start prometheus prometheus --config.file="$FLEDGE_LOG_DIR/prometheus.yml" \
  --storage.tsdb.path="$FLEDGE_LOG_DIR/prometheus-data" --web.listen-address="127.0.0.1:$prometheus_port" \
  --log.level=warn
fledge_wait_http "$PROMETHEUS/-/ready" 60

echo "==> starting fledge-controller"
fledge_start controller "$BIN/fledge-controller" --kubeconfig "$KUBECONFIG" --namespace "$NAMESPACE" \
  --no-leader-elect --metrics-address 127.0.0.1:0 --prometheus-address "$PROMETHEUS" --log-format text --log-level info
controller_pid=$FLEDGE_LAST_PID
echo "    controller: http://$(fledge_wait_line controller "$controller_pid" "metrics listening on http://")"

watch_rollout() {  # until version timeout
  python3 hack/lib/rollout_watch.py --kubectl "$KUBECTL" --name shop --namespace "$NAMESPACE" \
    --until "$1" --version "$2" --timeout "$3" | sed 's/^/    /'
  return "${PIPESTATUS[0]}"
}

baseline() {  # version
  echo "==> [$(elapsed)] letting $1 serve as stable for a few seconds: the analysis compares the canary with stable's traffic from before it started"
  fledge_wait_baseline "$PROMETHEUS" shop "$NAMESPACE" "$1" 8 120 || fail "no stable traffic of $1 in Prometheus"
}

fail() {
  echo >&2
  echo "demo: FAILED: $*" >&2
  echo "demo: rollout status:" >&2
  k get rollout shop -n "$NAMESPACE" -o jsonpath='{.status}' >&2 || true
  echo >&2
  echo "demo: the end of the controller's log ($FLEDGE_LOG_DIR/controller.log):" >&2
  tail -n 25 "$FLEDGE_LOG_DIR/controller.log" >&2 || true
  exit 1
}

echo
echo "==> [$(elapsed)] v1: kubectl apply -f manifests/examples/demo/shop-v1.yaml (first version: stable at 20 replicas)"
k apply -n "$NAMESPACE" -f "$DEMO/shop-v1.yaml" | sed 's/^/    /'
watch_rollout healthy 1.0.0 120 || fail "v1 did not become Healthy"
k get rollout shop -n "$NAMESPACE" | sed 's/^/    /'
baseline 1.0.0

echo
echo "==> [$(elapsed)] v2 (good: same behaviour, new image): kubectl apply -f manifests/examples/demo/shop-v2.yaml"
k apply -n "$NAMESPACE" -f "$DEMO/shop-v2.yaml" | sed 's/^/    /'
watch_rollout healthy 2.0.0 300 || fail "v2 was not promoted"
k get rollout shop -n "$NAMESPACE" | sed 's/^/    /'
baseline 2.0.0

echo
echo "==> [$(elapsed)] v3 (bad: 8% of requests fail, v2 fails 0.5%): kubectl apply -f manifests/examples/demo/shop-v3.yaml"
k apply -n "$NAMESPACE" -f "$DEMO/shop-v3.yaml" | sed 's/^/    /'
watch_rollout degraded 3.0.0 300 || fail "v3 was not rolled back"
k get rollout shop -n "$NAMESPACE" | sed 's/^/    /'

echo
echo "==> [$(elapsed)] checking the end state"
json=$(k get rollout shop -n "$NAMESPACE" -o json)
canary_replicas=$(k get deployment shop-canary -n "$NAMESPACE" -o jsonpath='{.spec.replicas}' 2>/dev/null || echo 0)
stable_replicas=$(k get deployment shop-stable -n "$NAMESPACE" -o jsonpath='{.spec.replicas}')
verdict=$(ROLLOUT_JSON="$json" python3 - "$canary_replicas" "$stable_replicas" <<'EOF'
import json, os, sys
r = json.loads(os.environ["ROLLOUT_JSON"])
s = r.get("status", {})
problems = []
if s.get("phase") != "Degraded": problems.append(f"phase is {s.get('phase')}, expected Degraded")
if s.get("stableVersion") != "2.0.0": problems.append(f"stableVersion is {s.get('stableVersion')}, expected 2.0.0")
if int(sys.argv[1] or 0) != 0: problems.append(f"shop-canary has {sys.argv[1]} replicas, expected 0")
if int(sys.argv[2] or 0) != 20: problems.append(f"shop-stable has {sys.argv[2]} replicas, expected 20")
print("; ".join(problems) if problems else "ok")
EOF
)
[ "$verdict" = "ok" ] || fail "$verdict"
echo "    v2 promoted (stable 2.0.0 at 20 replicas); v3 rolled back (phase Degraded, shop-canary at 0 replicas)"
echo
echo "demo: passed in $(elapsed). Logs: $FLEDGE_LOG_DIR"
