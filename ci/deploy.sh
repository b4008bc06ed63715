#!/usr/bin/env bash
# Deploy findash to a Kubernetes cluster (the current kubeconfig context, or a kind cluster's), wait for the
# rollout, smoke test it, and roll back automatically when the rollout or the smoke test fails.
#
# Usage: ci/deploy.sh <development|testing|staging|production> [options]
#   --dry-run            validate everything with a server-side dry run; change nothing
#   --kubeconfig PATH    cluster to deploy to (default: $KUBECONFIG / ~/.kube/config)
#   --cdk8s              apply the cdk8s manifests in dist/<env>/ (default; synthesized when missing)
#   --helm               install/upgrade the Helm chart charts/findash with values-<env>.yaml
#   --manifests DIR      apply pre-rendered manifests from DIR instead of dist/<env>/ (cdk8s mode)
#   --image IMAGE        findash image to deploy (helm: image values; cdk8s: re-synthesized with FINDASH_IMAGE)
#   --set KEY=VALUE      extra Helm value (repeatable; helm mode)
#   --image-map FILE     swap third-party images for local ones and drop containers that cannot run, as FILE
#                        says (ci/images/node-images.json: a node without an image registry); both modes
#   --namespace NS       namespace of the product (default findash)
#   --timeout DURATION   rollout wait, e.g. 300s (default 300s)
#   --skip-smoke         do not run the smoke test after the rollout
#   --no-rollback        leave a failed rollout as it is (for debugging)
# Exit: 0 deployed and healthy; 1 deploy failed (rolled back unless --no-rollback); 2 usage or setup error.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib/crds.sh
. "$CI_DIR/lib/crds.sh"
# shellcheck source-path=SCRIPTDIR source=lib/port-forward.sh
. "$CI_DIR/lib/port-forward.sh"

environment_argument "$@"
shift

DRY_RUN=0
MODE=cdk8s
KUBECONFIG_ARG=""
MANIFESTS=""
IMAGE=""
HELM_SETS=()
IMAGE_MAP="${FINDASH_IMAGE_MAP:-}"
NAMESPACE="${FINDASH_NAMESPACE:-findash}"
TIMEOUT=300s
SMOKE=1
ROLLBACK=1
RELEASE=findash
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --kubeconfig) KUBECONFIG_ARG="${2:?--kubeconfig needs a path}" && shift ;;
    --cdk8s) MODE=cdk8s ;;
    --helm) MODE=helm ;;
    --manifests) MANIFESTS="${2:?--manifests needs a directory}" && shift ;;
    --image) IMAGE="${2:?--image needs an image reference}" && shift ;;
    --set) HELM_SETS+=(--set "${2:?--set needs KEY=VALUE}") && shift ;;
    --image-map) IMAGE_MAP="${2:?--image-map needs a file}" && shift ;;
    --namespace) NAMESPACE="${2:?--namespace needs a name}" && shift ;;
    --timeout) TIMEOUT="${2:?--timeout needs a duration}" && shift ;;
    --skip-smoke) SMOKE=0 ;;
    --no-rollback) ROLLBACK=0 ;;
    -h | --help) usage ;;
    *) unknown_option "$1" ;;
  esac
  shift
done
[ "$MODE" = helm ] && [ -n "$MANIFESTS" ] && die "--manifests applies to cdk8s mode, not --helm"
[ "$MODE" = cdk8s ] && [ ${#HELM_SETS[@]} -gt 0 ] && die "--set applies to --helm only"
if [ -n "$IMAGE_MAP" ]; then
  [ -r "$IMAGE_MAP" ] || die "image map $IMAGE_MAP not readable"
  IMAGE_MAP="$(cd "$(dirname "$IMAGE_MAP")" && pwd)/$(basename "$IMAGE_MAP")"
fi

KUBECTL_BIN="${KUBECTL:-kubectl}"
command -v "$KUBECTL_BIN" > /dev/null 2>&1 || die "kubectl not found (install kubectl or set KUBECTL)"
K=("$KUBECTL_BIN")
HELM_KUBE=()
if [ -n "$KUBECONFIG_ARG" ]; then
  [ -r "$KUBECONFIG_ARG" ] || die "kubeconfig $KUBECONFIG_ARG not readable"
  K+=(--kubeconfig "$KUBECONFIG_ARG")
  HELM_KUBE=(--kubeconfig "$KUBECONFIG_ARG")
fi
DRY=()
[ "$DRY_RUN" = 1 ] && DRY=(--dry-run=server)
# Server-side apply: the API server merges, validates every field strictly and records who owns what.
APPLY=(apply --server-side --force-conflicts --field-manager=findash-deploy)
SELECTOR="app.kubernetes.io/name=findash"
WORKLOADS="app.kubernetes.io/name=findash,app.kubernetes.io/component in (api,operator)"

if [ "$MODE" = helm ]; then
  HELM_BIN="$(find_tool helm)" || die "helm not found: run test/harness/ensure-tools.sh helm (or install helm 3)"
  CHART="$REPO_ROOT/charts/findash"
  VALUES="$CHART/values-$ENVIRONMENT.yaml"
  if [ -n "$IMAGE" ]; then
    # registry/repo:tag or registry/repo@sha256:...; a ':' after the last '/' is the tag separator.
    if [[ "$IMAGE" == *@* ]]; then
      HELM_SETS+=(--set "image.repository=${IMAGE%@*}" --set "image.digest=${IMAGE#*@}")
    elif [[ "${IMAGE##*/}" == *:* ]]; then
      HELM_SETS+=(--set "image.repository=${IMAGE%:*}" --set "image.tag=${IMAGE##*:}")
    else
      HELM_SETS+=(--set "image.repository=$IMAGE")
    fi
  fi
fi

log "deploying findash $ENVIRONMENT with $MODE to $("${K[@]}" config view --minify -o jsonpath='{.clusters[0].cluster.server}' 2> /dev/null || echo '?') namespace $NAMESPACE$([ "$DRY_RUN" = 1 ] && echo ' (dry run)')"
"${K[@]}" get --raw /readyz > /dev/null 2>&1 || die "the cluster is not reachable or not ready (kubectl get --raw /readyz)"

# ---- manifests -------------------------------------------------------------------------------------------------
if [ "$MODE" = cdk8s ]; then
  if [ -z "$MANIFESTS" ]; then
    MANIFESTS="$REPO_ROOT/dist/$ENVIRONMENT"
    if [ -n "$IMAGE" ] || [ ! -d "$MANIFESTS" ]; then
      log "synthesizing $ENVIRONMENT manifests (npm run synth)${IMAGE:+ with image $IMAGE}"
      (cd "$REPO_ROOT" && FINDASH_IMAGE="${IMAGE:-${FINDASH_IMAGE:-}}" npm run --silent synth -- "$ENVIRONMENT" >&2) ||
        die "npm run synth failed"
    fi
  elif [ -n "$IMAGE" ]; then
    die "--image cannot change pre-rendered --manifests"
  fi
  [ -d "$MANIFESTS" ] || die "no manifests in $MANIFESTS"
  if [ -n "$IMAGE_MAP" ]; then
    MAPPED="$(mktemp -d)"
    trap 'rm -rf "$MAPPED"' EXIT
    log "swapping images as ${IMAGE_MAP#"$REPO_ROOT"/} says"
    node "$CI_DIR/rewrite-images.mjs" "$IMAGE_MAP" "$MANIFESTS" "$MAPPED" || die "rewriting images failed"
    MANIFESTS="$MAPPED"
  fi
  RENDERED=("$MANIFESTS")
else
  POST_RENDER=()
  [ -n "$IMAGE_MAP" ] && POST_RENDER=(--post-renderer "$CI_DIR/rewrite-images.mjs" --post-renderer-args "$IMAGE_MAP")
  RENDERED_FILE="$(mktemp)"
  trap 'rm -f "$RENDERED_FILE"' EXIT
  "$HELM_BIN" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" -f "$VALUES" "${HELM_SETS[@]}" "${POST_RENDER[@]}" > "$RENDERED_FILE" ||
    die "helm template failed"
  RENDERED=("$RENDERED_FILE")
fi

# ---- CRDs ------------------------------------------------------------------------------------------------------
# findash's own Tenant CRD is always applied (Helm never upgrades CRDs). Third-party CRDs the manifests use are
# installed only when the cluster lacks them: there, the platform's operators own them and their versions.
deploy_crds
if [ "$DRY_RUN" = 1 ] && [ ${#missing_crds[@]} -gt 0 ]; then
  die "CRDs not installed: ${missing_crds[*]}. A dry run cannot validate objects of kinds the API server does not serve yet; deploy once without --dry-run (or install them) first"
fi
log "applying CRDs"
for file in "${crd_files[@]}"; do "${K[@]}" "${APPLY[@]}" "${DRY[@]}" -f "$file"; done
if [ "$DRY_RUN" = 0 ]; then
  for file in "${crd_files[@]}"; do
    "${K[@]}" wait --for=condition=Established --timeout=60s -f "$file" > /dev/null
  done
fi

# ---- namespace -------------------------------------------------------------------------------------------------
if ! "${K[@]}" get namespace "$NAMESPACE" > /dev/null 2>&1; then
  [ "$DRY_RUN" = 1 ] &&
    die "namespace $NAMESPACE does not exist: a dry run validates namespaced objects only in an existing namespace (deploy once, or kubectl create namespace $NAMESPACE)"
  "${K[@]}" create namespace "$NAMESPACE"
fi

# ---- apply -----------------------------------------------------------------------------------------------------
helm_revision() { "$HELM_BIN" "${HELM_KUBE[@]}" -n "$NAMESPACE" history "$RELEASE" --max 1 -o json 2> /dev/null | sed -nE 's/.*"revision":([0-9]+).*/\1/p'; }

if [ "$MODE" = cdk8s ]; then
  log "applying manifests from ${MANIFESTS#"$REPO_ROOT"/}"
  "${K[@]}" "${APPLY[@]}" "${DRY[@]}" -f "$MANIFESTS"
elif [ "$DRY_RUN" = 1 ]; then
  # helm's own --dry-run does not ask the API server to validate; this does, hooks included.
  log "validating the rendered chart (values-$ENVIRONMENT.yaml)"
  "${K[@]}" "${APPLY[@]}" "${DRY[@]}" -n "$NAMESPACE" -f "$RENDERED_FILE"
else
  PREVIOUS_REVISION="$(helm_revision || true)"
  log "helm upgrade --install $RELEASE (values-$ENVIRONMENT.yaml)"
  # No --wait/--atomic: the rollout wait and the rollback below are the same for both modes. Hooks (the
  # migration Job) still run and are bounded by the timeout.
  if ! "$HELM_BIN" "${HELM_KUBE[@]}" upgrade --install "$RELEASE" "$CHART" --namespace "$NAMESPACE" \
    -f "$VALUES" "${HELM_SETS[@]}" "${POST_RENDER[@]}" --timeout "$TIMEOUT" --history-max 10; then
    HELM_FAILED=1
  fi
fi

if [ "$DRY_RUN" = 1 ]; then
  log "dry run passed: the API server accepted every object"
  exit 0
fi

# ---- rollout, smoke test, rollback -----------------------------------------------------------------------------
print_state() {
  "${K[@]}" -n "$NAMESPACE" get deployments,statefulsets,pods -l "$SELECTOR" -o wide >&2 || true
}

rollback() {
  local reason="$1"
  log "deploy failed: $reason"
  if [ "$ROLLBACK" = 0 ]; then
    log "--no-rollback: leaving the failed rollout in place"
    print_state
    exit 1
  fi
  if [ "$MODE" = helm ]; then
    if [ -n "${PREVIOUS_REVISION:-}" ]; then
      log "rolling back: helm rollback $RELEASE $PREVIOUS_REVISION"
      "$HELM_BIN" "${HELM_KUBE[@]}" -n "$NAMESPACE" rollback "$RELEASE" "$PREVIOUS_REVISION" --timeout "$TIMEOUT" || log "helm rollback failed"
    else
      log "first release: nothing to roll back to"
    fi
  else
    log "rolling back: kubectl rollout undo (api, operator)"
    "${K[@]}" -n "$NAMESPACE" rollout undo deployment -l "$WORKLOADS" || log "rollout undo failed (first rollout has no previous revision)"
  fi
  "${K[@]}" -n "$NAMESPACE" rollout status deployment -l "$WORKLOADS" --timeout "$TIMEOUT" || log "the rolled-back version is not ready either"
  print_state
  log "rolled back after: $reason"
  exit 1
}

[ "${HELM_FAILED:-0}" = 1 ] && rollback "helm upgrade failed"

log "waiting for the rollout (timeout $TIMEOUT)"
for kind in statefulset deployment; do
  # rollout status refuses an empty selection; an environment without StatefulSets has nothing to wait for.
  [ -n "$("${K[@]}" -n "$NAMESPACE" get "$kind" -l "$SELECTOR" -o name)" ] || continue
  "${K[@]}" -n "$NAMESPACE" rollout status "$kind" -l "$SELECTOR" --timeout "$TIMEOUT" || rollback "${kind}s not ready within $TIMEOUT"
done

if [ "$SMOKE" = 1 ]; then
  api_service="$("${K[@]}" -n "$NAMESPACE" get service -l "$SELECTOR,app.kubernetes.io/component=api" \
    -o jsonpath='{.items[0].metadata.name}' 2> /dev/null || true)"
  [ -n "$api_service" ] || rollback "no API Service found"
  api_port="$("${K[@]}" -n "$NAMESPACE" get service "$api_service" -o jsonpath='{.spec.ports[0].port}')"

  # A smoke tenant exercises the operator (Tenant -> Ready, token Secret) and the API (token -> dashboard).
  log "creating the smoke-test tenant"
  "${K[@]}" "${APPLY[@]}" -f - << 'YAML' || rollback "could not create the smoke-test Tenant"
apiVersion: findash.io/v1alpha1
kind: Tenant
metadata:
  name: ci-smoke
  labels:
    app.kubernetes.io/part-of: findash
spec:
  type: organization
  displayName: CI smoke test
  baseCurrency: USD
  owners:
    - kind: User
      name: ci@findash.invalid
  apiClients:
    - name: smoke
      role: viewer
YAML
  "${K[@]}" wait tenant/ci-smoke --for=condition=Ready --timeout=120s || rollback "the operator did not make the smoke-test Tenant Ready"
  token="$("${K[@]}" -n tenant-ci-smoke get secret smoke-token -o jsonpath='{.data.token}' | base64 -d)" ||
    rollback "no token Secret for the smoke-test Tenant"

  # The metrics listener (METRICS_PORT) is a Service port of its own, never routed by the Ingress.
  metrics_port="$("${K[@]}" -n "$NAMESPACE" get service "$api_service" -o jsonpath='{.spec.ports[?(@.name=="metrics")].port}' 2> /dev/null || true)"
  pf_log="$(mktemp)"
  "${K[@]}" -n "$NAMESPACE" port-forward "service/$api_service" ":$api_port" ${metrics_port:+":$metrics_port"} > "$pf_log" 2>&1 &
  pf_pid=$!
  trap 'kill "$pf_pid" 2> /dev/null || true; rm -f "$pf_log" "${RENDERED_FILE:-}"; rm -rf "${MAPPED:-}"' EXIT
  forwards=1
  [ -n "$metrics_port" ] && forwards=2
  mapfile -t local_ports < <(wait_for_forwards "$pf_log" "$forwards")
  local_port="${local_ports[0]:-}"
  [ -n "$local_port" ] || rollback "kubectl port-forward to $api_service failed: $(cat "$pf_log")"
  metrics_url=""
  [ -n "$metrics_port" ] && [ -n "${local_ports[1]:-}" ] && metrics_url="http://127.0.0.1:${local_ports[1]}"

  log "smoke testing through port-forward 127.0.0.1:$local_port -> $api_service:$api_port"
  SMOKE_METRICS_URL="$metrics_url" "$CI_DIR/smoke-test.sh" "http://127.0.0.1:$local_port" "$token" || rollback "smoke test failed"
  kill "$pf_pid" 2> /dev/null || true
fi

print_state
log "findash $ENVIRONMENT deployed and healthy"
