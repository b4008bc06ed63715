#!/usr/bin/env bash
# Build the findash image (one image: API, operator, migrations) from the Dockerfile, unmodified.
# With Docker (CI runners): docker buildx, multi-arch by default; --load builds for this machine only and loads
# it into the local daemon (what ci/kind-up.sh needs), --push pushes every platform to the registry.
# Without Docker (this repo's own machines): buildah bud into the local containers-storage, for this machine's
# platform, with the base image made by ci/base-image.sh when no registry is reachable; the image names and
# tags are the same, and test/harness/node-cluster loads them into the node's containerd.
#
# Usage: ci/build-images.sh [options]
#   --image NAME         repository (default ghcr.io/findash/findash)
#   --tag TAG            tag (repeatable; default: <version>-<12-hex sha> and, on main, <version> too)
#   --platform LIST      default linux/amd64,linux/arm64 (with --load: the local platform)
#   --target STAGE       Dockerfile target (default production; development, testing)
#   --push | --load      where the result goes (default: build only, as a check; buildah always keeps it)
#   --builder NAME       docker or buildah (default: docker when it answers, else buildah)
# In GitHub Actions the layer cache is kept in the Actions cache (type=gha).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IMAGE="ghcr.io/findash/findash"
TAGS=()
PLATFORM="linux/amd64,linux/arm64"
PLATFORM_SET=0
TARGET=production
OUTPUT=""
BUILDER=""
while [ $# -gt 0 ]; do
  case "$1" in
    --image) IMAGE="${2:?}" && shift ;;
    --tag) TAGS+=("${2:?}") && shift ;;
    --platform) PLATFORM="${2:?}" && PLATFORM_SET=1 && shift ;;
    --target) TARGET="${2:?}" && shift ;;
    --push) OUTPUT=--push ;;
    --load) OUTPUT=--load ;;
    --builder) BUILDER="${2:?}" && shift ;;
    -h | --help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
      exit 0
      ;;
    *) die "unknown option $1" ;;
  esac
  shift
done

if [ -z "$BUILDER" ]; then
  if docker info > /dev/null 2>&1; then BUILDER=docker; else BUILDER=buildah; fi
fi

revision="$(git -C "$REPO_ROOT" rev-parse HEAD 2> /dev/null || echo unknown)"
version="$(node -p 'require(process.argv[1]).version' "$REPO_ROOT/package.json" 2> /dev/null || echo 0.0.0)"
# The one tag scheme (README "Image tags"): every build is <version>-<sha12> (immutable; what CI deploys), and a
# build of main also moves <version>, the tag the cdk8s manifests and the chart (appVersion) default to.
if [ ${#TAGS[@]} -eq 0 ]; then
  TAGS=("$version-${revision:0:12}")
  [ "${GITHUB_REF:-}" = refs/heads/main ] && TAGS+=("$version")
fi
# The local image store holds one platform: --load builds for this machine unless told otherwise.
if [ "$OUTPUT" = --load ] && [ "$PLATFORM_SET" = 0 ]; then
  PLATFORM="linux/$(docker version --format '{{.Server.Arch}}')"
fi

labels=(
  --label "org.opencontainers.image.source=https://github.com/findash/findash"
  --label "org.opencontainers.image.revision=$revision"
  --label "org.opencontainers.image.version=$version"
  --label "org.opencontainers.image.title=findash"
)

if [ "$BUILDER" = buildah ]; then
  [ "$OUTPUT" = --push ] && die "--push needs a registry; this builder keeps images in the local containers-storage"
  [ "$PLATFORM_SET" = 1 ] && [ "$PLATFORM" != "linux/$(go env GOARCH 2> /dev/null || echo amd64)" ] &&
    die "buildah builds for this machine's platform only"
  export CONTAINERS_CONF="${CONTAINERS_CONF:-$CI_DIR/containers.conf}"
  require_command buildah "apt-get install buildah"
  base="$(sed -nE 's/^FROM (--platform=[^ ]+ )?([^ ]+) AS base$/\2/p' "$REPO_ROOT/Dockerfile" | head -1)"
  node_version="$(sed -nE 's/^ARG NODE_VERSION=(.+)$/\1/p' "$REPO_ROOT/Dockerfile" | head -1)"
  base="${base//\$\{NODE_VERSION\}/$node_version}"
  if ! buildah inspect --type image "$base" > /dev/null 2>&1; then
    log "base image $base is not here; making it (ci/base-image.sh)"
    "$CI_DIR/base-image.sh" > /dev/null
  fi
  args=(bud --layers --network host --pull-never --file "$REPO_ROOT/Dockerfile" --target "$TARGET" "${labels[@]}")
  for tag in "${TAGS[@]}"; do args+=(--tag "$IMAGE:$tag"); done
  started=$SECONDS
  log "buildah ${args[*]} $REPO_ROOT"
  buildah "${args[@]}" "$REPO_ROOT" >&2
  size="$(podman image inspect --format '{{.Size}}' "$IMAGE:${TAGS[0]}" 2> /dev/null | awk '{ printf "%.0f MB", $1 / 1e6 }')"
  log "built $IMAGE:${TAGS[0]} ($TARGET) in $((SECONDS - started)) s, $size"
  for tag in "${TAGS[@]}"; do echo "$IMAGE:$tag"; done
  exit 0
fi

require_command docker "https://docs.docker.com/engine/install/"
docker buildx version > /dev/null 2>&1 || die "docker buildx is required"
args=(
  buildx build "$REPO_ROOT"
  --file "$REPO_ROOT/Dockerfile"
  --target "$TARGET"
  --platform "$PLATFORM"
  "${labels[@]}"
  --provenance=true
)
for tag in "${TAGS[@]}"; do args+=(--tag "$IMAGE:$tag"); done
[ -n "$OUTPUT" ] && args+=("$OUTPUT")
if [ -n "${ACTIONS_CACHE_URL:-}${ACTIONS_RESULTS_URL:-}" ]; then
  args+=(--cache-from type=gha --cache-to "type=gha,mode=max")
fi

log "docker ${args[*]}"
docker "${args[@]}"
for tag in "${TAGS[@]}"; do echo "$IMAGE:$tag"; done
