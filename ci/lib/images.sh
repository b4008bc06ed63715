# shellcheck shell=bash
# What the scripts that make images with buildah share (ci/base-image.sh, ci/local-images.sh; sourced after
# lib.sh): their one option and setup, the Debian minbase root filesystems they start from, and the annotation
# that records which recipe made an image (an image is rebuilt only when its recipe changes).

# image_script_setup "$@": FORCE=1 with --force (rebuild everything), --help prints the usage and exits 0;
# checks for buildah and debootstrap, points buildah at ci/containers.conf and makes CACHE, the cache directory.
# shellcheck disable=SC2034 # FORCE is for the scripts that call this
image_script_setup() {
  FORCE=0
  case "${1:-}" in
    --force) FORCE=1 ;;
    -h | --help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
      exit 0
      ;;
    "") ;;
    *) die "unknown option $1" ;;
  esac
  export CONTAINERS_CONF="${CONTAINERS_CONF:-$CI_DIR/containers.conf}"
  require_command buildah "apt-get install buildah"
  require_command debootstrap "apt-get install debootstrap"
  CACHE="${FINDASH_IMAGE_CACHE:-$HOME/.cache/findash/images}"
  mkdir -p "$CACHE"
}

# image_recipe REF [KEY]: the recipe annotation (KEY, default io.findash.recipe) of image REF; empty when there
# is no such image.
image_recipe() {
  buildah inspect --type image --format "{{index .ImageAnnotations \"${2:-io.findash.recipe}\"}}" "$1" 2> /dev/null || true
}

# image_size REF: the size of image REF, e.g. "87 MB".
image_size() {
  podman image inspect --format '{{.Size}}' "$1" 2> /dev/null | awk '{ printf "%.0f MB", $1 / 1e6 }'
}

# debootstrap_minbase SUITE ROOTFS MIRROR [REBUILD]: a Debian SUITE minbase root filesystem in ROOTFS, made with
# debootstrap from MIRROR (its log in $CACHE/debootstrap-SUITE.log) unless ROOTFS already holds one and REBUILD
# is not 1.
debootstrap_minbase() {
  local suite="$1" rootfs="$2" mirror="$3" debootstrap_log="$CACHE/debootstrap-$1.log" started
  if [ -x "$rootfs/usr/bin/apt-get" ] && [ "${4:-0}" != 1 ]; then return 0; fi
  rm -rf "$rootfs.tmp"
  log "debootstrap $suite (minbase) from $mirror"
  started=$SECONDS
  debootstrap --variant=minbase "$suite" "$rootfs.tmp" "$mirror" > "$debootstrap_log" 2>&1 ||
    die "debootstrap $suite failed; see $debootstrap_log"
  rm -rf "$rootfs"
  mv "$rootfs.tmp" "$rootfs"
  log "debootstrap took $((SECONDS - started)) s"
}

# rootfs_container ROOTFS: a buildah working container holding a copy of ROOTFS without apt's package lists and
# cache; sets ctr to the container and mnt to where it is mounted.
rootfs_container() {
  ctr="$(buildah from scratch)"
  mnt="$(buildah mount "$ctr")"
  cp -a "$1/." "$mnt/"
  rm -rf "$mnt"/var/lib/apt/lists/* "$mnt"/var/cache/apt/*
}
