# shellcheck shell=bash
# Which CustomResourceDefinitions a deploy applies (sourced by ci/deploy.sh).

# uses_group GROUP: the rendered manifests (RENDERED: files or directories) hold an object of that API group.
uses_group() { grep -rqsE "^apiVersion: $1/" "${RENDERED[@]}"; }

# deploy_crds: sets crd_files to findash's own Tenant CRD, always applied (Helm never upgrades CRDs), and to the
# vendored CRDs of the third-party API groups the manifests use that the cluster does not serve yet (where it
# does, the platform's operators own them and their versions); missing_crds to the names of the latter.
# Reads K (the kubectl command), RENDERED and REPO_ROOT.
deploy_crds() {
  crd_files=("$REPO_ROOT"/charts/findash/crds/*.yaml)
  missing_crds=()
  # API group -> directory prefix of its vendored CRDs under cdk8s/crds/.
  local -A third_party=(
    [monitoring.coreos.com]=prometheus-operator-
    [postgresql.cnpg.io]=cloudnative-pg-
    [rabbitmq.com]=rabbitmq-cluster-operator-
  )
  local group file crd
  for group in "${!third_party[@]}"; do
    uses_group "$group" || continue
    for file in "$REPO_ROOT/cdk8s/crds/${third_party[$group]}"*/*.yaml; do
      crd="$("${K[@]}" apply --dry-run=client -o name -f "$file")"
      if ! "${K[@]}" get "$crd" > /dev/null 2>&1; then
        crd_files+=("$file")
        missing_crds+=("${crd#*/}")
        if [ "$group" != monitoring.coreos.com ]; then
          log "warning: ${crd#*/} was not installed; its objects need that operator running in the cluster"
        fi
      fi
    done
  done
}
