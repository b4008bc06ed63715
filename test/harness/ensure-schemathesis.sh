#!/usr/bin/env bash
# Installs Schemathesis (API contract fuzzing, test/contract/schemathesis.test.ts, which runs this
# itself) from PyPI, with every dependency pinned in schemathesis-requirements.txt, into a virtualenv
# outside the repo, ~/.cache/findash/schemathesis-<version>/, and prints the path of its `st`
# command. Idempotent: an install of those exact requirements is reused at once.
#
# Usage: ensure-schemathesis.sh [--quiet]
# Env:   FINDASH_CACHE  cache directory (default ~/.cache/findash)
set -euo pipefail

VERSION=4.32.5
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Schemathesis and its dependencies (Hypothesis above all) at the versions the suite was run with.
REQUIREMENTS="$HERE/schemathesis-requirements.txt"
CACHE="${FINDASH_CACHE:-$HOME/.cache/findash}"
VENV="$CACHE/schemathesis-$VERSION"
ST="$VENV/bin/st"
STAMP="$(sha256sum "$REQUIREMENTS" | cut -c1-16)"

quiet=0
case "${1:-}" in
  --quiet | -q) quiet=1 ;;
esac
log() { [ "$quiet" = 1 ] || echo "$@" >&2; }

installed() { [ -x "$ST" ] && [ "$(cat "$VENV/.installed" 2> /dev/null)" = "$STAMP" ]; }

if ! installed; then
  mkdir -p "$CACHE"
  # Tests and people may provision at the same time: one installer, the others wait and reuse it.
  exec 9> "$CACHE/schemathesis.lock"
  flock 9
  if ! installed; then
    if ! command -v python3 > /dev/null 2>&1 || ! python3 -c 'import ensurepip, venv' 2> /dev/null; then
      if [ "$(id -u)" != 0 ]; then
        echo "ensure-schemathesis: needs python3 with venv; install it with: sudo apt-get install -y python3-venv" >&2
        exit 1
      fi
      log "ensure-schemathesis: installing python3-venv"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv > /dev/null
    fi
    log "ensure-schemathesis: installing schemathesis $VERSION into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    echo "$STAMP" > "$VENV/.installed"
  fi
  exec 9>&-
fi
printf '%-24s %-10s %s\n' schemathesis "$VERSION" "$ST"
