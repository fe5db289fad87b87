#!/usr/bin/env bash
# Proves CanaryAnalysis is usable by another Swift package on its own: builds Examples/standalone
# (a separate package depending on this one by path) and checks its verdict.
set -euo pipefail
cd "$(dirname "$0")/../Examples/standalone"
out=$(swift run --quiet standalone 2>&1) || { echo "$out"; exit 1; }
echo "$out"
grep -q '^decision: rollback$' <<<"$out" || { echo "standalone: expected a rollback decision" >&2; exit 1; }
echo "standalone: ok — a separate package imports CanaryAnalysis and judges a broken canary: rollback"
