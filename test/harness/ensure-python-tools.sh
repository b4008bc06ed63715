#!/usr/bin/env bash
# Installs the Python CLIs the test suite runs (checkov) at pinned versions into one virtualenv per tool
# under ~/.cache/findash/venvs/, outside the repository. Idempotent: a stamp per tool records the pinned
# version and the Python that built the venv, so a second run is instant and a version bump reinstalls.
#
# Usage: ensure-python-tools.sh [--quiet] [TOOL...]   (default: all tools)
#   TOOL: checkov
# Env:   FINDASH_VENVS  virtualenv directory (default ~/.cache/findash/venvs)
#        FINDASH_TOOLS_BIN  where the tool's entry point is linked (default ~/.cache/findash/bin)
set -euo pipefail

VENVS="${FINDASH_VENVS:-$HOME/.cache/findash/venvs}"
BIN="${FINDASH_TOOLS_BIN:-$HOME/.cache/findash/bin}"

# tool -> pinned requirement (PyPI)
declare -A PINS=(
  [checkov]="checkov==3.3.30"
)

quiet=0
wanted=()
for arg in "$@"; do
  case "$arg" in
    --quiet | -q) quiet=1 ;;
    *) wanted+=("$arg") ;;
  esac
done
[ ${#wanted[@]} -eq 0 ] && wanted=("${!PINS[@]}")
log() { [ "$quiet" = 1 ] || echo "$@" >&2; }

PYTHON="${PYTHON:-$(command -v python3 || true)}"
if [ -z "$PYTHON" ]; then
  echo "ensure-python-tools: python3 not found; install it (apt-get install -y python3 python3-venv)" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import venv, ensurepip' > /dev/null 2>&1; then
  echo "ensure-python-tools: $PYTHON has no venv/ensurepip; install python3-venv (apt-get install -y python3-venv)" >&2
  exit 1
fi
mkdir -p "$VENVS" "$BIN"

for tool in "${wanted[@]}"; do
  pin="${PINS[$tool]:-}"
  if [ -z "$pin" ]; then
    echo "ensure-python-tools: unknown tool '$tool' (known: ${!PINS[*]})" >&2
    exit 1
  fi
  venv="$VENVS/$tool"
  stamp="$pin $("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
  exec 9> "$VENVS/.$tool.lock"
  flock 9
  if [ ! -x "$venv/bin/$tool" ] || [ "$(cat "$venv/.stamp" 2> /dev/null)" != "$stamp" ]; then
    log "ensure-python-tools: installing $pin into $venv (first run takes a minute)..."
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input "$pin"
    echo "$stamp" > "$venv/.stamp"
  fi
  ln -sfn "$venv/bin/$tool" "$BIN/$tool"
  exec 9>&-
  printf '%-24s %-10s %s\n' "$tool" "${pin#*==}" "$BIN/$tool"
done
