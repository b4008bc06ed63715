#!/usr/bin/env bash
# Build the images a node without an image registry needs besides findash's own (ci/build-images.sh):
#   - findash.local/pause:3.10, the Pod sandbox image, compiled from Kubernetes' own build/pause/linux/pause.c
#     of the pinned k8s.io/kubernetes module (the same program as registry.k8s.io/pause:3.10);
#   - findash.local/coredns:<version>, the cluster DNS Pod's image: the static CoreDNS binary that
#     test/harness/ensure-tools.sh builds from its pinned Go module, alone on an empty image (as upstream's is);
#   - the third-party images of ci/images/node-images.json (PostgreSQL 17, postgres_exporter, memcached,
#     RabbitMQ, Adminer), each from a Containerfile in ci/images/<context>/ on a Debian trixie minbase root
#     filesystem made with debootstrap from the configured Debian mirror.
# Images are rebuilt only when their Containerfile directory changes (a content hash label). buildah keeps them
# in the local containers-storage; test/harness/node.ts loads them into the node's containerd.
#
# Usage: ci/local-images.sh [--force]      prints the image references on stdout
# Env:   FINDASH_IMAGE_CACHE (default ~/.cache/findash/images), DEBIAN_MIRROR (default http://deb.debian.org/debian)
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib/images.sh
. "$CI_DIR/lib/images.sh"

image_script_setup "$@"
require_command gcc "apt-get install gcc libc6-dev"

MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BASE=localhost/findash-debian:trixie-minbase
PAUSE=findash.local/pause:3.10
MAP="$CI_DIR/images/node-images.json"

# ---- base: Debian trixie minbase ---------------------------------------------------------------------------
ROOTFS="$CACHE/rootfs-trixie-minbase"
debootstrap_minbase trixie "$ROOTFS" "$MIRROR"
if [ "$FORCE" = 1 ] || [ "$(image_recipe "$BASE")" != minbase-r1 ]; then
  rootfs_container "$ROOTFS"
  # Package scripts must not start services inside an image build; keep images lean.
  printf '#!/bin/sh\nexit 101\n' > "$mnt/usr/sbin/policy-rc.d"
  chmod 0755 "$mnt/usr/sbin/policy-rc.d"
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$mnt/etc/apt/apt.conf.d/90findash"
  printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\n' \
    > "$mnt/etc/dpkg/dpkg.cfg.d/90findash-nodoc"
  buildah umount "$ctr" > /dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd bash \
    --annotation io.findash.recipe=minbase-r1 "$ctr"
  buildah commit --quiet --rm "$ctr" "$BASE" > /dev/null
  log "made $BASE"
fi

# ---- pause -------------------------------------------------------------------------------------------------
kube_version="$(sed -nE 's/^require k8s.io\/kubernetes (v[0-9.]+)$/\1/p' "$REPO_ROOT/test/harness/go-tools/kube/go.mod")"
pause_c="$(go env GOMODCACHE)/k8s.io/kubernetes@$kube_version/build/pause/linux/pause.c"
if [ ! -f "$pause_c" ]; then
  (cd "$REPO_ROOT/test/harness/go-tools/kube" && GOFLAGS=-mod=mod go mod download k8s.io/kubernetes) ||
    die "could not fetch k8s.io/kubernetes $kube_version for pause.c"
fi
pause_recipe="pause-$kube_version-r1"
if [ "$FORCE" = 1 ] || [ "$(image_recipe "$PAUSE")" != "$pause_recipe" ]; then
  work="$(mktemp -d)"
  gcc -Os -static -Wall -Werror -DVERSION=v3.10-findash -o "$work/pause" "$pause_c"
  strip "$work/pause"
  ctr="$(buildah from scratch)"
  buildah copy "$ctr" "$work/pause" /pause > /dev/null
  buildah config --entrypoint '["/pause"]' --user 65535:65535 --annotation "io.findash.recipe=$pause_recipe" "$ctr"
  buildah commit --quiet --rm "$ctr" "$PAUSE" > /dev/null
  rm -rf "$work"
  log "made $PAUSE from $kube_version's pause.c"
fi
echo "$PAUSE"

# ---- coredns -----------------------------------------------------------------------------------------------
read -r _ coredns_version coredns_bin < <(bash "$REPO_ROOT/test/harness/ensure-tools.sh" --quiet coredns)
COREDNS="findash.local/coredns:${coredns_version#v}"
coredns_recipe="coredns-$coredns_version-$(sha256sum "$coredns_bin" | cut -c1-16)"
if [ "$FORCE" = 1 ] || [ "$(image_recipe "$COREDNS")" != "$coredns_recipe" ]; then
  ctr="$(buildah from scratch)"
  buildah copy --chmod 0755 "$ctr" "$coredns_bin" /coredns > /dev/null
  buildah config --entrypoint '["/coredns"]' --user 65532:65532 --port 53/udp --port 53/tcp \
    --annotation "io.findash.recipe=$coredns_recipe" "$ctr"
  buildah commit --quiet --rm "$ctr" "$COREDNS" > /dev/null
  log "made $COREDNS from the CoreDNS $coredns_version module"
fi
echo "$COREDNS"

# ---- third-party images ------------------------------------------------------------------------------------
# shellcheck disable=SC2016 # the quoted text at the end of the loop is JavaScript for node, not shell
while IFS=$'\t' read -r ref context; do
  dir="$CI_DIR/images/$context"
  [ -f "$dir/Containerfile" ] || die "$MAP names context $context but $dir/Containerfile does not exist"
  recipe="$(cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
  if [ "$FORCE" = 1 ] || [ "$(image_recipe "$ref")" != "$recipe" ]; then
    started=$SECONDS
    log "building $ref from ci/images/$context"
    buildah bud --quiet --layers --network host --pull-never --annotation "io.findash.recipe=$recipe" \
      --file "$dir/Containerfile" --tag "$ref" "$dir" > /dev/null ||
      die "building $ref failed"
    log "built $ref in $((SECONDS - started)) s, $(image_size "$ref")"
  fi
  echo "$ref"
done < <(node -e '
  const { images } = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const entry of Object.values(images)) if (entry.local) console.log(`${entry.local}\t${entry.context}`);
' "$MAP")
