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

# The script's usage (its header comment, after the #! line), to stderr; exits 2.
usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
  exit 2
}

# unknown_option OPTION: says the option is unknown, then prints the usage.
unknown_option() {
  echo "error: unknown option $1" >&2
  usage
}

# environment_argument "$@": ENVIRONMENT is the first argument, which must name an environment (the caller
# shifts it off); none, -h or --help prints the usage, anything else says so first.
environment_argument() {
  [ $# -ge 1 ] || usage
  ENVIRONMENT="$1"
  case "$ENVIRONMENT" in -h | --help) usage ;; esac
  is_environment "$ENVIRONMENT" || {
    echo "error: unknown environment '$ENVIRONMENT' (one of: ${ENVIRONMENTS[*]})" >&2
    usage
  }
}
