# shellcheck shell=bash
# Helpers shared by the ci/ scripts (sourced, not run).

CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CI_DIR/.." && pwd)"
export CI_DIR REPO_ROOT

ENVIRONMENTS=(development testing staging production)

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 2
}

is_environment() {
  local e
  for e in "${ENVIRONMENTS[@]}"; do [ "$e" = "$1" ] && return 0; done
  return 1
}

# A Go tool built by test/harness/ensure-tools.sh, else the one on PATH.
find_tool() {
  local name="$1" upper
  upper="$(echo "$name" | tr '[:lower:]-' '[:upper:]_')"
  local override="${!upper:-}"
  if [ -n "$override" ]; then
    echo "$override"
  elif [ -x "${FINDASH_TOOLS_BIN:-$HOME/.cache/findash/bin}/$name" ]; then
    echo "${FINDASH_TOOLS_BIN:-$HOME/.cache/findash/bin}/$name"
  elif command -v "$name" > /dev/null 2>&1; then
    command -v "$name"
  else
    return 1
  fi
}

require_command() {
  command -v "$1" > /dev/null 2>&1 || die "$1 is required but not installed${2:+ ($2)}"
}
