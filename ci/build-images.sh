#!/usr/bin/env bash
# Build the findash image (one image: API, operator, migrations) with docker buildx, for CI runners that
# have Docker. Multi-arch by default; --load builds for this machine only and loads it into the local daemon
# (what ci/kind-up.sh needs), --push pushes every platform to the registry.
#
# Usage: ci/build-images.sh [options]
#   --image NAME         repository (default ghcr.io/findash/findash)
#   --tag TAG            tag (repeatable; default: the git commit's short sha and, on main, "main")
#   --platform LIST      default linux/amd64,linux/arm64 (with --load: the local platform)
#   --target STAGE       Dockerfile target (default production; development, testing)
#   --push | --load      where the result goes (default: build only, as a check)
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
while [ $# -gt 0 ]; do
  case "$1" in
    --image) IMAGE="${2:?}" && shift ;;
    --tag) TAGS+=("${2:?}") && shift ;;
    --platform) PLATFORM="${2:?}" && PLATFORM_SET=1 && shift ;;
    --target) TARGET="${2:?}" && shift ;;
    --push) OUTPUT=--push ;;
    --load) OUTPUT=--load ;;
    -h | --help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
      exit 0
      ;;
    *) die "unknown option $1" ;;
  esac
  shift
done

require_command docker "https://docs.docker.com/engine/install/"
docker buildx version > /dev/null 2>&1 || die "docker buildx is required"

revision="$(git -C "$REPO_ROOT" rev-parse HEAD 2> /dev/null || echo unknown)"
if [ ${#TAGS[@]} -eq 0 ]; then
  TAGS=("${revision:0:12}")
  [ "${GITHUB_REF:-}" = refs/heads/main ] && TAGS+=(main)
fi
# The local image store holds one platform: --load builds for this machine unless told otherwise.
if [ "$OUTPUT" = --load ] && [ "$PLATFORM_SET" = 0 ]; then
  PLATFORM="linux/$(docker version --format '{{.Server.Arch}}')"
fi

version="$(node -p 'require(process.argv[1]).version' "$REPO_ROOT/package.json" 2> /dev/null || echo 0.0.0)"
args=(
  buildx build "$REPO_ROOT"
  --file "$REPO_ROOT/Dockerfile"
  --target "$TARGET"
  --platform "$PLATFORM"
  --label "org.opencontainers.image.source=https://github.com/findash/findash"
  --label "org.opencontainers.image.revision=$revision"
  --label "org.opencontainers.image.version=$version"
  --label "org.opencontainers.image.title=findash"
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
