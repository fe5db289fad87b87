#!/usr/bin/env bash
# Checks the install manifests (run by `make test` after `swift build --build-tests`):
#   a. renders manifests/, manifests/examples/, overlays/namespaced/ and overlays/multi-tenant/ with the
#      repository's kubectl (kustomize); the multi-tenant overlay allows only the default Prometheus and confines
#      queries to the Rollout's namespace;
#      the namespaced overlay has no ClusterRoleBinding, a RoleBinding per managed namespace and the same
#      namespaces as --namespace arguments;
#   b. validates every built-in object with kubernetes-validate (strict: unknown fields fail)
#      against the newest Kubernetes schema it bundles; custom kinds (Rollout) are skipped by name;
#   c. fails on any `*` in a Role/ClusterRole rule's apiGroups, resources or verbs;
#   d. applies both to the Kubernetes API emulator with kubectl (default validation, never --validate=false), waits
#      for the Rollout CRD to be Established, and reads the objects back.
# Needs .venv (make deps) and .build/debug/fledge-emulator (swift build). Takes a few seconds.
set -uo pipefail
cd "$(dirname "$0")/.."

KUBE_SCHEMA_VERSION=${KUBE_SCHEMA_VERSION:-1.37.0}
# Kinds that have no schema among Kubernetes' built-ins: validated by the emulator against the CRD instead.
CUSTOM_KINDS="Rollout HTTPRoute VirtualService"  # ours, and the router examples' CRD kinds (no built-in schema)

KUBECTL=.venv/bin/kubectl
PYTHON=.venv/bin/python
EMULATOR=.build/debug/fledge-emulator

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "check-manifests: PASS $*"; }
fail() { failed=$((failed + 1)); echo "check-manifests: FAIL $*" >&2; }
die()  { echo "check-manifests: FAIL $*" >&2; exit 1; }

[ -x "$KUBECTL" ] || die "$KUBECTL is missing: run 'make deps' (hack/deps.sh)"
"$PYTHON" -c 'import kubernetes_validate' 2>/dev/null \
  || die "kubernetes-validate is missing from .venv: run 'make deps' (hack/deps.sh)"
[ -x "$EMULATOR" ] || die "$EMULATOR is missing: run 'swift build' (make test builds it before this script)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fledge-check-manifests.XXXXXX")
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null
    wait "$emulator_pid" 2>/dev/null
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- a. render ------------------------------------------------------------------------------------
# manifests/kustomization.yaml includes the Rollout CRD from ../crds (its own kustomization).
install_dir=manifests
[ -f crds/kustomization.yaml ] || die "crds/kustomization.yaml is missing: manifests/ includes ../crds (the Rollout CRD)"

render() { # dir out
  if "$KUBECTL" kustomize "$1" >"$2" 2>"$TMP/render.err"; then
    pass "kubectl kustomize $3 ($(grep -c '^kind:' "$2") objects)"
  else
    fail "kubectl kustomize $3:"; sed 's/^/  /' "$TMP/render.err" >&2
    return 1
  fi
}
render "$install_dir" "$TMP/install.yaml" "manifests/" || exit 1
render manifests/examples "$TMP/examples.yaml" "manifests/examples/" || exit 1
render overlays/namespaced "$TMP/namespaced.yaml" "overlays/namespaced/" || exit 1
cat >"$TMP/namespaced.py" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
problems = []
if any(d["kind"] == "ClusterRoleBinding" for d in docs):
    problems.append("a ClusterRoleBinding is left")
bound = sorted(d["metadata"]["namespace"] for d in docs
               if d["kind"] == "RoleBinding" and d["roleRef"]["name"] == "fledge-controller")
args = [c for d in docs if d["kind"] == "Deployment" for c in d["spec"]["template"]["spec"]["containers"][0]["args"]]
watched = sorted(a.split("=", 1)[1] for a in args if a.startswith("--namespace="))
if not bound or bound != watched:
    problems.append(f"RoleBindings in {bound} but --namespace {watched}")
print("; ".join(problems) or f"namespaces {' '.join(bound)}")
sys.exit(1 if problems else 0)
PY
if out=$("$PYTHON" "$TMP/namespaced.py" "$TMP/namespaced.yaml" 2>&1); then
  pass "overlays/namespaced: no ClusterRoleBinding; the controller bound and watching in the same $out"
else
  fail "overlays/namespaced: $out"
fi
render integrations/argocd "$TMP/argocd.yaml" "integrations/argocd/" || exit 1
if "$PYTHON" - "$TMP/argocd.yaml" integrations/argocd/health.lua <<'PY'
import sys, yaml
cm = yaml.safe_load(open(sys.argv[1]))
key = "resource.customizations.health.fledge.dev_Rollout"
ok = cm["kind"] == "ConfigMap" and cm["metadata"]["name"] == "argocd-cm" and cm["metadata"]["namespace"] == "argocd" \
    and cm["data"].get(key) == open(sys.argv[2]).read()
sys.exit(0 if ok else 1)
PY
then
  pass "integrations/argocd: argocd-cm carries health.lua verbatim as the Rollout health check"
else
  fail "integrations/argocd: argocd-cm does not carry health.lua under resource.customizations.health.fledge.dev_Rollout"
fi
render overlays/multi-tenant "$TMP/multi-tenant.yaml" "overlays/multi-tenant/" || exit 1
cat >"$TMP/multi-tenant.py" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
args = [c for d in docs if d["kind"] == "Deployment" for c in d["spec"]["template"]["spec"]["containers"][0]["args"]]
def values(flag):
    return [a.split("=", 1)[1] for a in args if a.startswith(flag + "=")]
problems = []
default = values("--prometheus-address")
if len(default) != 1:
    problems.append(f"one --prometheus-address expected, got {default}")
elif values("--allowed-prometheus-address") != default:
    problems.append(f"--allowed-prometheus-address {values('--allowed-prometheus-address')} is not the default {default}")
if len(values("--query-namespace-label")) != 1:
    problems.append("no --query-namespace-label")
if "--allow-cross-namespace-routes" in args:
    problems.append("cross-namespace routes allowed")
print("; ".join(problems) or f"Prometheus {default[0]} only, queries confined by {values('--query-namespace-label')[0]}")
sys.exit(1 if problems else 0)
PY
if out=$("$PYTHON" "$TMP/multi-tenant.py" "$TMP/multi-tenant.yaml" 2>&1); then
  pass "overlays/multi-tenant: $out, routes in their namespace"
else
  fail "overlays/multi-tenant: $out"
fi

# --- b, c. schemas and RBAC -----------------------------------------------------------------------
# One Python pass over both renderings (PyYAML and kubernetes-validate come with the .venv).
cat >"$TMP/validate.py" <<'PY'
import sys, yaml, kubernetes_validate
from kubernetes_validate.version import __version__ as kv_version
from kubernetes_validate.utils import latest_version, VersionNotSupportedError, SchemaNotFoundError, ValidationError

version, custom_kinds, files = sys.argv[1], set(sys.argv[2].split()), sys.argv[3:]
if version.rsplit(".", 1)[0] != latest_version().rsplit(".", 1)[0]:
    print(f"NOTE kubernetes-validate {kv_version} bundles schemas up to Kubernetes {latest_version()}; validating against {version}")
ok = bad = skipped = 0
for path in files:
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    for d in docs:
        name = f"{d.get('kind')}/{d.get('metadata', {}).get('name')}"
        if d.get("kind") in custom_kinds:
            print(f"SKIP schema {name} ({d.get('apiVersion')}): custom kind, no built-in schema; checked by the emulator against the CRD")
            skipped += 1
            continue
        try:
            kubernetes_validate.validate(d, version, strict=True)
            ok += 1
        except ValidationError as e:
            print(f"FAIL schema {name}: {'.'.join(str(p) for p in e.path)}: {e.message}")
            bad += 1
        except VersionNotSupportedError as e:
            sys.exit(f"kubernetes-validate {kv_version}: {e.message}")
        except SchemaNotFoundError as e:
            print(f"FAIL schema {name}: {e.message} (not a built-in kind: add it to CUSTOM_KINDS only if it is ours)")
            bad += 1
        if d.get("kind") in ("Role", "ClusterRole"):
            for i, rule in enumerate(d.get("rules") or []):
                for field in ("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"):
                    if any("*" in str(v) for v in rule.get(field) or []):
                        print(f"FAIL rbac {name}: rules[{i}].{field} has a wildcard: {rule[field]}")
                        bad += 1
print(f"RESULT {ok} {bad} {skipped} {kv_version}")
PY
# The router examples (manifests/examples/routers) need CRDs a cluster may not have, so they are not in the
# examples' kustomization; their built-in objects (the NGINX example's Ingress) are validated here all the same.
out=$("$PYTHON" "$TMP/validate.py" "$KUBE_SCHEMA_VERSION" "$CUSTOM_KINDS" "$TMP/install.yaml" "$TMP/examples.yaml" "$TMP/namespaced.yaml" "$TMP/multi-tenant.yaml" \
  manifests/examples/routers/*.yaml 2>&1)
status=$?
grep -v '^RESULT ' <<<"$out" | sed 's/^/check-manifests:   /'
read -r _ v_ok v_bad v_skip kv_version < <(grep '^RESULT ' <<<"$out") || { v_bad=1; v_ok=0; v_skip=0; kv_version="?"; }
if [ "$status" -eq 0 ] && [ "${v_bad:-1}" -eq 0 ]; then
  pass "kubernetes-validate ${kv_version} --strict, Kubernetes ${KUBE_SCHEMA_VERSION}: ${v_ok} built-in objects valid, ${v_skip} custom (${CUSTOM_KINDS}) skipped"
  pass "RBAC: no wildcard in any Role/ClusterRole rule"
else
  fail "kubernetes-validate / RBAC: ${v_bad} problem(s) (see above)"
fi

# --- d. apply to the emulator ---------------------------------------------------------------------
"$EMULATOR" --port 0 --kubeconfig-out "$TMP/kubeconfig" --deployment-ready-delay 200ms \
  >"$TMP/emulator.out" 2>"$TMP/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$TMP/emulator.out" 2>/dev/null && break
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.1
done
grep -q '^listening on ' "$TMP/emulator.out" 2>/dev/null \
  || { cat "$TMP/emulator.err" >&2; die "the emulator did not start (no 'listening on' line)"; }
echo "check-manifests: emulator $(head -1 "$TMP/emulator.out")"

k() { "$KUBECTL" --kubeconfig "$TMP/kubeconfig" "$@"; }
check() { # description, command...
  local what=$1; shift
  if "$@" >"$TMP/cmd.out" 2>&1; then pass "$what"
  else fail "$what:"; sed 's/^/  /' "$TMP/cmd.out" >&2; fi
}

expect() { # description, expected output, command...
  local what=$1 want=$2; shift 2
  local got
  if got=$("$@" 2>&1) && [ "$got" = "$want" ]; then pass "$what"
  else fail "$what: expected '$want', got:"; sed 's/^/  /' <<<"$got" >&2; fi
}

check "kubectl apply -k manifests/ (default validation)" k apply -k "$install_dir"
expect "Deployment fledge-system/fledge-controller: 2 replicas of ghcr.io/fledge-dev/fledge-controller:0.1.0 as fledge-controller" \
  "2 ghcr.io/fledge-dev/fledge-controller:0.1.0 fledge-controller" \
  k get deployment fledge-controller -n fledge-system \
    -o 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.serviceAccountName}'
expect "ClusterRole fledge-controller: 9 rules, labelled app.kubernetes.io/part-of=fledge" \
  "9 fledge" \
  k get clusterrole fledge-controller -o 'go-template={{len .rules}} {{index .metadata.labels "app.kubernetes.io/part-of"}}'
bound_subjects() {
  k get clusterrolebinding fledge-controller -o 'jsonpath={.subjects[0].namespace}/{.subjects[0].name} ' &&
  k get rolebinding fledge-leader-election -n fledge-system -o 'jsonpath={.subjects[0].namespace}/{.subjects[0].name}'
}
expect "ClusterRoleBinding and RoleBinding bind ServiceAccount fledge-system/fledge-controller" \
  "fledge-system/fledge-controller fledge-system/fledge-controller" bound_subjects
expect "ClusterRoles fledge-edit and fledge-view aggregate into the built-in edit/admin and view roles" \
  "true true true" \
  k get clusterrole fledge-edit fledge-view -o 'go-template={{range .items}}{{index .metadata.labels "rbac.authorization.k8s.io/aggregate-to-edit"}} {{end}}{{index (index .items 1).metadata.labels "rbac.authorization.k8s.io/aggregate-to-view"}}'
expect "Service fledge-system/fledge-controller-metrics: port 8080 -> metrics" \
  "8080 metrics" \
  k get service fledge-controller-metrics -n fledge-system -o 'jsonpath={.spec.ports[0].port} {.spec.ports[0].targetPort}'

check "CRD rollouts.fledge.dev Established" \
  k wait --for=condition=Established crd/rollouts.fledge.dev --timeout=20s
check "kubectl apply -f manifests/examples/shop-rollout.yaml (default validation)" \
  k apply -f manifests/examples/shop-rollout.yaml
expect "Rollout default/shop: 20 replicas, 7 steps, image ghcr.io/fledge-dev/shop:1.0.0" \
  "20 7 ghcr.io/fledge-dev/shop:1.0.0" \
  k get rollouts.fledge.dev shop -n default \
    -o 'go-template={{.spec.replicas}} {{len .spec.strategy.canary.steps}} {{(index .spec.template.spec.containers 0).image}}'
expect "kubectl apply -k manifests/examples/ again: unchanged" \
  "rollout.fledge.dev/shop unchanged" k apply -k manifests/examples

# The user roles, through Kubernetes' own aggregated edit and view roles (as a cluster ships them): a developer
# bound to edit in a namespace may change Rollouts there but not their status; one bound to view may only read.
emulator_url=$(sed -n 's/^listening on //p' "$TMP/emulator.out" | head -1)
token() { curl -sf -X POST "$emulator_url/emulator.fledge.dev/tokens" -d "{\"namespace\":\"default\",\"serviceAccount\":\"$1\"}" \
  | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
cat >"$TMP/builtin-roles.yaml" <<'YAML'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: edit}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: developer-edit, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: developer, namespace: default}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: auditor-view, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: auditor, namespace: default}]
YAML
check "built-in edit and view roles (aggregated) bound to a developer and an auditor" k apply -f "$TMP/builtin-roles.yaml"
developer=$(token developer); auditor=$(token auditor)
# (curl, not kubectl: kubectl sends no bearer token to a plain-HTTP server.)
status_of() { # token method path [merge-patch body]
  curl -s -o /dev/null -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/merge-patch+json' ${4:+-d "$4"} "$emulator_url$3"
}
rollout=/apis/fledge.dev/v1alpha1/namespaces/default/rollouts/shop
annotate='{"metadata":{"annotations":{"fledge.dev/action":"pause:check"}}}'
expect "edit: a developer annotates a Rollout (what kubectl fledge promote does)" 200 status_of "$developer" PATCH "$rollout" "$annotate"
expect "edit: a developer may not write a Rollout's status" 403 status_of "$developer" PATCH "$rollout/status" '{"status":{"phase":"Healthy"}}'
expect "view: an auditor reads Rollouts" 200 status_of "$auditor" GET "$rollout"
expect "view: an auditor may not change one" 403 status_of "$auditor" PATCH "$rollout" "$annotate"
expect "neither: another account may not read one" 403 status_of "$(token stranger)" GET "$rollout"

echo "check-manifests: ${passed} passed, ${failed} failed"
if [ "$failed" -ne 0 ]; then
  echo "check-manifests: FAIL" >&2
  exit 1
fi
echo "check-manifests: PASS"
