#!/usr/bin/env bash
# Create (or reuse) the kind cluster CI deploys to, described by kind-config.yaml, and load the findash image
# into its nodes so pods start without a registry (the chart and manifests use imagePullPolicy IfNotPresent).
#
# Usage: ci/kind-up.sh [IMAGE...]        default image: findash:dev (build it with ci/build-images.sh --load)
# Env:   KIND_CLUSTER_NAME (default findash), KIND_NODE_IMAGE (default kindest/node:v1.32.2),
#        KIND_INGRESS=1 also installs ingress-nginx for kind (needs internet).
# Prints (only) the kubeconfig path on stdout, for ci/deploy.sh --kubeconfig; progress goes to stderr.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in -h | --help)
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 0
  ;;
esac
CLUSTER_NAME="${KIND_CLUSTER_NAME:-findash}"
NODE_IMAGE="${KIND_NODE_IMAGE:-kindest/node:v1.32.2}"
IMAGES=("$@")
[ ${#IMAGES[@]} -gt 0 ] || IMAGES=(findash:dev)

require_command kind "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
require_command kubectl

KUBECONFIG_PATH="${KIND_KUBECONFIG:-$REPO_ROOT/.findash/kind-$CLUSTER_NAME.kubeconfig}"
mkdir -p "$(dirname "$KUBECONFIG_PATH")"

if kind get clusters 2> /dev/null | grep -qx "$CLUSTER_NAME"; then
  log "kind cluster $CLUSTER_NAME exists; reusing it"
else
  log "creating kind cluster $CLUSTER_NAME ($NODE_IMAGE) from kind-config.yaml"
  kind create cluster --name "$CLUSTER_NAME" --config "$REPO_ROOT/kind-config.yaml" --image "$NODE_IMAGE" --wait 120s >&2
fi
kind get kubeconfig --name "$CLUSTER_NAME" > "$KUBECONFIG_PATH"

for image in "${IMAGES[@]}"; do
  log "loading $image into the nodes"
  kind load docker-image "$image" --name "$CLUSTER_NAME" >&2
done

if [ "${KIND_INGRESS:-0}" = 1 ]; then
  log "installing ingress-nginx for kind"
  kubectl --kubeconfig "$KUBECONFIG_PATH" apply -f https://raw.githubusercontent.com/kubernetes/ingress-nginx/main/deploy/static/provider/kind/deploy.yaml >&2
  kubectl --kubeconfig "$KUBECONFIG_PATH" -n ingress-nginx wait --for=condition=Ready pod -l app.kubernetes.io/component=controller --timeout=180s >&2
fi

kubectl --kubeconfig "$KUBECONFIG_PATH" get nodes -o wide >&2
echo "$KUBECONFIG_PATH"
