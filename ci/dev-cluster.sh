#!/usr/bin/env bash
# From a fresh clone to findash's development environment running as real Pods on this machine, in one command
# (`npm run k8s:dev`; root, no Docker, no image registry): installs what a node needs (test/provision.sh --node),
# builds the images (npm run images: the Dockerfile's production target as findash:dev, the third-party images
# and the pause image), starts the single-node cluster or copies the rebuilt images into the one that runs
# (npm run cluster:up -- --nodes), deploys with the project's own path (ci/deploy.sh development, cdk8s, with the
# node's image map; its smoke test applies a Tenant the operator reconciles), then prints how to reach the API.
# Every step is cached: a second run only redoes what changed.
#
# Usage: ci/dev-cluster.sh [ci/deploy.sh options, e.g. --helm]
# Remove it all with: npm run cluster:down -- --purge
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
case "${1:-}" in
  -h | --help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 0
    ;;
esac
[ "$(id -u)" = 0 ] || die "a node runs containers, iptables rules and a bridge: run this as root"
cd "$REPO_ROOT"
KUBECONFIG_PATH="$REPO_ROOT/.findash/kubeconfig"

[ -d node_modules ] || { log "npm ci" && npm ci --no-audit --no-fund; }
log "provisioning the node's packages and tools (test/provision.sh --node)"
bash test/provision.sh --node
log "building the images (npm run images)"
npm run --silent images > /dev/null
if npm run --silent cluster:status > /dev/null 2>&1 && grep -q '"containerdSocket"' .findash/cluster/state.json; then
  log "the cluster runs: copying the images into its node (npm run cluster:load)"
  npm run --silent cluster:load > /dev/null
else
  log "starting the single-node cluster (npm run cluster:up -- --nodes)"
  npm run --silent cluster:up -- --nodes > /dev/null
fi
bash ci/deploy.sh development --kubeconfig "$KUBECONFIG_PATH" --image-map ci/images/node-images.json "$@"

K=(kubectl --kubeconfig "$KUBECONFIG_PATH")
address="$("${K[@]}" -n findash get service -l app.kubernetes.io/name=findash,app.kubernetes.io/component=api \
  -o jsonpath='{.items[0].spec.clusterIP}:{.items[0].spec.ports[0].port}')"
cat << EOF

findash development runs as Pods on this machine:
  export KUBECONFIG=$KUBECONFIG_PATH
  kubectl -n findash get pods
  curl http://$address/health
  # the smoke test's Tenant (ci-smoke) and its viewer token, made by the operator:
  TOKEN=\$(kubectl -n tenant-ci-smoke get secret smoke-token -o jsonpath='{.data.token}' | base64 -d)
  curl -H "Authorization: Bearer \$TOKEN" http://$address/financial/dashboard
  web UI: http://$address/app/ (paste the token)
  more tenants: kubectl apply -f operator/examples/organization-tenant.yaml && kubectl get tenants
Stop and remove everything: npm run cluster:down -- --purge
EOF
