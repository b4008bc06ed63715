#!/usr/bin/env bash
# Emergency rollback: return the findash API and operator Deployments to their previous revision, wait for
# them, and print what is running now. For when a release misbehaves and there is no time to redeploy.
#
# Usage: ci/scripts/emergency-rollback.sh <development|testing|staging|production> [options]
#   --kubeconfig PATH    cluster (default: $KUBECONFIG / ~/.kube/config)
#   --namespace NS       namespace of the product (default findash)
#   --to-revision N      a specific Deployment revision instead of the previous one
#   --timeout DURATION   wait for the rolled-back pods (default 300s)
# Works for both the cdk8s and the Helm deployment (it acts on the Deployments by label). After a Helm
# install, follow up with `helm rollback findash` so Helm's record matches the cluster.
# Exit: 0 rolled back and ready; 1 rollback or wait failed; 2 usage error.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

environment_argument "$@"
shift

K=("${KUBECTL:-kubectl}")
NAMESPACE="${FINDASH_NAMESPACE:-findash}"
TO_REVISION=()
TIMEOUT=300s
while [ $# -gt 0 ]; do
  case "$1" in
    --kubeconfig) K+=(--kubeconfig "${2:?--kubeconfig needs a path}") && shift ;;
    --namespace) NAMESPACE="${2:?--namespace needs a name}" && shift ;;
    --to-revision) TO_REVISION=(--to-revision "${2:?--to-revision needs a number}") && shift ;;
    --timeout) TIMEOUT="${2:?--timeout needs a duration}" && shift ;;
    -h | --help) usage ;;
    *) unknown_option "$1" ;;
  esac
  shift
done

SELECTOR="app.kubernetes.io/name=findash,app.kubernetes.io/component in (api,operator)"
mapfile -t deployments < <("${K[@]}" -n "$NAMESPACE" get deployments -l "$SELECTOR" -o name)
[ ${#deployments[@]} -gt 0 ] || {
  echo "error: no findash api/operator Deployments in namespace $NAMESPACE" >&2
  exit 1
}

# The environment the cluster says it runs, to catch a rollback aimed at the wrong cluster.
running_env="$("${K[@]}" -n "$NAMESPACE" get configmaps,deployments -l "$SELECTOR" -o yaml |
  sed -nE 's/^ *FINDASH_ENV: "?([a-z]+)"?$/\1/p; /name: FINDASH_ENV/{n;s/^ *value: "?([a-z]+)"?$/\1/p}' | head -n1)"
if [ -n "$running_env" ] && [ "$running_env" != "$ENVIRONMENT" ]; then
  echo "error: namespace $NAMESPACE runs findash $running_env, not $ENVIRONMENT; check your kubeconfig context" >&2
  exit 1
fi

log "emergency rollback of findash $ENVIRONMENT in namespace $NAMESPACE: ${deployments[*]}"
status=0
for deployment in "${deployments[@]}"; do
  revision="$("${K[@]}" -n "$NAMESPACE" get "$deployment" -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}')"
  if "${K[@]}" -n "$NAMESPACE" rollout undo "$deployment" "${TO_REVISION[@]}"; then
    log "$deployment: rolled back from revision ${revision:-?}"
  else
    log "$deployment: rollout undo failed"
    status=1
  fi
done
for deployment in "${deployments[@]}"; do
  "${K[@]}" -n "$NAMESPACE" rollout status "$deployment" --timeout "$TIMEOUT" || status=1
done

echo "--- state after rollback"
"${K[@]}" -n "$NAMESPACE" get deployments -l "$SELECTOR" \
  -o custom-columns='NAME:.metadata.name,REVISION:.metadata.annotations.deployment\.kubernetes\.io/revision,READY:.status.readyReplicas,WANTED:.spec.replicas,IMAGE:.spec.template.spec.containers[0].image'
"${K[@]}" -n "$NAMESPACE" get pods -l "$SELECTOR" -o wide || true
if [ "$status" = 0 ]; then
  log "rollback complete"
else
  log "rollback incomplete: see the state above"
fi
exit "$status"
