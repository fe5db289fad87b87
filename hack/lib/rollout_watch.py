#!/usr/bin/env python3
"""Follows one Rollout with real kubectl and prints a line whenever its progress changes.

Reads `kubectl get rollout NAME -o json` twice a second and prints: the step (with what it does), the weight
set and measured, the phase and both versions; and each new analysis verdict (`status.lastAnalysis`) with the
numbers of every check: canary against stable, errors or slow requests out of how many requests.

Stops when the Rollout reaches the end state asked for and exits 0; exits 1 when it reaches the opposite
end state (promoted when a rollback was expected, or the reverse) and 2 on timeout.

    rollout_watch.py --kubectl .venv/bin/kubectl --name shop --namespace default \
        --until healthy --version 2.0.0 --timeout 240

`--until degraded --version 3.0.0` waits for a rollback of 3.0.0 and fails if 3.0.0 becomes stable.
"""
import argparse
import json
import subprocess
import sys
import time


def get(kubectl, name, namespace):
    r = subprocess.run([kubectl, "get", "rollout", name, "-n", namespace, "-o", "json"],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        return None
    return json.loads(r.stdout)


def describe_step(rollout, index):
    steps = (((rollout.get("spec") or {}).get("strategy") or {}).get("canary") or {}).get("steps") or []
    if index is None:
        return "-"
    if index >= len(steps):
        return f"{index}/{len(steps)} done"
    step = steps[index]
    if "setWeight" in step:
        what = f"setWeight {step['setWeight']}"
    elif "analysis" in step:
        what = f"analysis {(step['analysis'] or {}).get('duration', '')}".strip()
    elif "pause" in step:
        what = f"pause {(step['pause'] or {}).get('duration', '')}".strip()
    else:
        what = "?"
    return f"{index + 1}/{len(steps)} {what}"


def pct(rate):
    return "-" if rate is None else f"{rate * 100:.2f}%"


def count(n):
    return "-" if n is None else f"{n:,}"


def describe_check(check):
    metric = check.get("metric", "")
    name = check.get("name", metric)
    if metric == "latency" and check.get("threshold") is not None:
        name = f"slower than {check['threshold'] * 1000:g}ms"
    elif metric == "errorRate":
        name = "errors"
    elif metric == "guardrail":
        name = "guardrail errors"
    if check.get("route"):
        name += f" {check['route']}"
    canary, stable = check.get("canary") or {}, check.get("stable") or {}
    if metric == "query":
        numbers = f"canary {canary.get('rate', '-')} vs stable {stable.get('rate', '-')}"
    else:
        numbers = (f"canary {pct(canary.get('rate'))} of {count(canary.get('requests'))}"
                   f" vs stable {pct(stable.get('rate'))} of {count(stable.get('requests'))}")
    return f"{name}: {numbers} -> {check.get('verdict', '?')}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kubectl", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--namespace", default="default")
    p.add_argument("--until", choices=["healthy", "degraded"], required=True)
    p.add_argument("--version", required=True, help="the version being rolled out (promoted: it becomes stable)")
    p.add_argument("--timeout", type=float, default=300)
    args = p.parse_args()

    start = time.time()
    last_line, last_analysis = None, None
    while time.time() - start < args.timeout:
        r = get(args.kubectl, args.name, args.namespace)
        status = (r or {}).get("status") or {}
        if r is None or not status:
            time.sleep(0.5)
            continue
        stamp = f"[{time.time() - start:6.1f}s]"
        actual = status.get("actualCanaryWeight")
        line = (f"step {describe_step(r, status.get('currentStepIndex'))} | "
                f"weight {status.get('canaryWeight', 0)}% (actual {'-' if actual is None else f'{actual:g}%'}) | "
                f"{status.get('phase', '-')} | stable {status.get('stableVersion', '-')} "
                f"canary {status.get('canaryVersion') or '-'}")
        if line != last_line:
            print(f"{stamp} {line}", flush=True)
            last_line = line
        analysis = status.get("lastAnalysis")
        key = json.dumps(analysis, sort_keys=True) if analysis else None
        if analysis and key != last_analysis:
            last_analysis = key
            interval = analysis.get("intervals")
            print(f"{stamp}   analysis{'' if interval is None else f' #{interval}'} "
                  f"(canary {analysis.get('canaryVersion', '?')}): {analysis.get('decision', '?').upper()}",
                  flush=True)
            for check in analysis.get("checks") or []:
                print(f"{stamp}     {describe_check(check)}", flush=True)
                if check.get("verdict") == "fail" and check.get("reason"):
                    print(f"{stamp}       why: {check['reason']}", flush=True)
        phase = status.get("phase")
        generation_seen = status.get("observedGeneration") == (r.get("metadata") or {}).get("generation")
        promoted = generation_seen and phase == "Healthy" and status.get("stableVersion") == args.version
        if promoted and args.until == "healthy":
            return 0
        if promoted:
            print(f"{stamp} expected a rollback, but {args.version} was promoted", flush=True)
            return 1
        if generation_seen and phase == "Degraded":
            if args.until == "degraded":
                if status.get("message"):
                    print(f"{stamp}   message: {status['message']}", flush=True)
                return 0
            print(f"{stamp} expected a promotion, but the Rollout is Degraded: {status.get('message', '')}", flush=True)
            return 1
        time.sleep(0.5)
    print(f"timed out after {args.timeout:g}s; last: {last_line}", flush=True)
    return 2


if __name__ == "__main__":
    sys.exit(main())
