#!/usr/bin/env bash
# make demo. Until the controller lands (issue: the Rollout controller), the demo replays two
# recorded canaries through the analysis exactly as the controller will judge them:
# a healthy version (promoted) and a broken one (rolled back, with the failing check's numbers).
# Exits 0 only if the healthy canary is promoted and the broken one rolled back.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> building kubectl-fledge"
swift build --product kubectl-fledge 2>&1 | tail -1
bin=$(swift build --show-bin-path)/kubectl-fledge

run() {
  local title=$1 file=$2 expect=$3
  echo
  echo "==> $title: kubectl fledge analyze --replay $file"
  "$bin" analyze --replay "$file"
  local verdict
  verdict=$("$bin" analyze --replay "$file" -o json | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["decision"])')
  if [ "$verdict" != "$expect" ]; then
    echo "demo: expected $expect for $file, got $verdict" >&2
    exit 1
  fi
}

run "a healthy new version" docs/examples/healthy.jsonl promote
run "a broken new version (more 5xx)" docs/examples/bad-canary.jsonl rollback

echo
echo "demo: healthy version promoted, broken version rolled back."
echo "demo: the full local rollout (emulated cluster, Prometheus, controller) arrives with the controller issue."
