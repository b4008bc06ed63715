#!/usr/bin/env bash
# Builds the Go tools findash needs (a real Kubernetes control plane for tests, helm, actionlint)
# from the pinned wrapper modules in test/harness/go-tools/, into ~/.cache/findash/bin/.
#
# Idempotent: each binary has a stamp (hash of its wrapper go.mod, the Go version and this recipe);
# when the stamp matches nothing is built, so a second run is instant and a version bump in a
# go.mod rebuilds exactly the tools of that module.
#
# Usage: ensure-tools.sh [--quiet] [TOOL...]   (default: all tools)
#   TOOL: actionlint helm etcd kube-apiserver kube-controller-manager (the default set, for `npm test`)
#         kube-scheduler kubelet kube-proxy kubectl coredns metrics-server kube-router (a node for real Pods,
#         `npm run e2e:k8s`); `--node` adds that second set to the default one.
# Env:   FINDASH_TOOLS_BIN  install directory (default ~/.cache/findash/bin)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODULES="$HERE/go-tools"
BIN="${FINDASH_TOOLS_BIN:-$HOME/.cache/findash/bin}"
STAMPS="$BIN/.stamps"
# Bump when the way tools are built changes (flags, ldflags), so existing binaries are rebuilt.
RECIPE=2

ALL_TOOLS=(actionlint helm etcd kube-apiserver kube-controller-manager kubeconform kube-score)
NODE_TOOLS=(kube-scheduler kubelet kube-proxy kubectl coredns metrics-server kube-router)

quiet=0
wanted=()
for arg in "$@"; do
  case "$arg" in
    --quiet | -q) quiet=1 ;;
    --node) wanted+=("${ALL_TOOLS[@]}" "${NODE_TOOLS[@]}") ;;
    -h | --help)
      sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) wanted+=("$arg") ;;
  esac
done
[ ${#wanted[@]} -eq 0 ] && wanted=("${ALL_TOOLS[@]}")

log() { [ "$quiet" = 1 ] || echo "$@" >&2; }

if ! command -v go > /dev/null 2>&1; then
  echo "ensure-tools: 'go' not found. Install Go >= 1.23 (https://go.dev/dl/), put it on PATH and rerun." >&2
  exit 1
fi

# Module-aware, static, reproducible builds with the Go that is installed (no toolchain download).
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
GO_VERSION="$(go env GOVERSION)"

# Version of a module required by a wrapper go.mod (first "require MOD vX" or "\tMOD vX" line).
required_version() {
  awk -v m="$2" '($1 == "require" && $2 == m) { print $3; exit } ($1 == m && $2 ~ /^v/) { print $2; exit }' \
    "$MODULES/$1/go.mod"
}

# tool -> "wrapper-dir package version-module"
tool_spec() {
  case "$1" in
    actionlint) echo "actionlint github.com/rhysd/actionlint/cmd/actionlint github.com/rhysd/actionlint" ;;
    kubeconform) echo "kubeconform github.com/yannh/kubeconform/cmd/kubeconform github.com/yannh/kubeconform" ;;
    kube-score) echo "kube-score github.com/zegl/kube-score/cmd/kube-score github.com/zegl/kube-score" ;;
    helm) echo "helm helm.sh/helm/v3/cmd/helm helm.sh/helm/v3" ;;
    etcd) echo "etcd findash.local/go-tools/etcd go.etcd.io/etcd/server/v3" ;;
    kube-apiserver) echo "kube k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes" ;;
    kube-controller-manager) echo "kube k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes" ;;
    kube-scheduler | kubelet | kube-proxy | kubectl) echo "kube k8s.io/kubernetes/cmd/$1 k8s.io/kubernetes" ;;
    coredns) echo "coredns github.com/coredns/coredns github.com/coredns/coredns" ;;
    metrics-server) echo "metrics-server sigs.k8s.io/metrics-server/cmd/metrics-server sigs.k8s.io/metrics-server" ;;
    kube-router) echo "kube-router github.com/cloudnativelabs/kube-router/v2/cmd/kube-router github.com/cloudnativelabs/kube-router/v2" ;;
    *) return 1 ;;
  esac
}

# Version strings the upstream Makefiles inject; without them kube-apiserver reports v0.0.0-master
# (kubectl then warns about version skew and Helm's kubeVersion checks fail).
tool_ldflags() {
  local tool="$1" version="$2"
  case "$tool" in
    kubeconform | kube-score) # before kube-*: a linter, not a Kubernetes component
      echo " -X main.version=$version"
      ;;
    kube-router) # before kube-*: its own version variable, as its Makefile sets it
      echo " -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$version" \
        "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.BuildDate=1970-01-01T00:00:00Z"
      ;;
    kube-* | kubelet | kubectl)
      local major minor
      major="$(echo "$version" | sed -E 's/^v([0-9]+)\..*/\1/')"
      minor="$(echo "$version" | sed -E 's/^v[0-9]+\.([0-9]+)\..*/\1/')"
      local pkg flags=""
      for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        flags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
        flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
      done
      echo "$flags"
      ;;
    helm)
      local k8s kminor
      k8s="$(cd "$MODULES/helm" && awk '$1 == "k8s.io/client-go" { print $2; exit }' go.mod)"
      kminor="$(echo "$k8s" | sed -E 's/^v0\.([0-9]+)\..*/\1/')"
      echo " -X helm.sh/helm/v3/internal/version.version=$version -X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
        "-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$kminor" \
        "-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$kminor"
      ;;
    actionlint)
      echo " -X github.com/rhysd/actionlint.version=$version"
      ;;
  esac
}

mkdir -p "$STAMPS"

ensure_tool() {
  local tool="$1" spec dir pkg vmod version ldflags stamp out
  spec="$(tool_spec "$tool")" || {
    echo "ensure-tools: unknown tool '$tool' (known: ${ALL_TOOLS[*]})" >&2
    return 1
  }
  read -r dir pkg vmod <<< "$spec"
  version="$(required_version "$dir" "$vmod")"
  ldflags="-s -w$(tool_ldflags "$tool" "$version")"
  stamp="$( {
    cat "$MODULES/$dir/go.mod"
    echo "$RECIPE $GO_VERSION $pkg $ldflags"
  } | sha256sum | cut -c1-16)"
  out="$BIN/$tool"

  if [ -x "$out" ] && [ "$(cat "$STAMPS/$tool" 2> /dev/null)" = "$stamp" ]; then
    printf '%-24s %-10s %s\n' "$tool" "$version" "$out"
    return 0
  fi

  # One builder per tool at a time (tests and people may run this concurrently); whoever waits
  # re-checks the stamp afterwards instead of building again.
  exec 9> "$STAMPS/$tool.lock"
  flock 9
  if [ -x "$out" ] && [ "$(cat "$STAMPS/$tool" 2> /dev/null)" = "$stamp" ]; then
    exec 9>&-
    printf '%-24s %-10s %s\n' "$tool" "$version" "$out"
    return 0
  fi
  log "ensure-tools: building $tool $version with $GO_VERSION (first build of the Kubernetes tools takes a while)..."
  local start=$SECONDS tmp="$out.tmp.$$"
  (cd "$MODULES/$dir" && go build -trimpath -ldflags="$ldflags" -o "$tmp" "$pkg")
  mv -f "$tmp" "$out"
  echo "$stamp" > "$STAMPS/$tool"
  exec 9>&-
  log "ensure-tools: built $tool in $((SECONDS - start))s"
  printf '%-24s %-10s %s\n' "$tool" "$version" "$out"
}

for tool in "${wanted[@]}"; do
  ensure_tool "$tool"
done
log "ensure-tools: tools are in $BIN"
