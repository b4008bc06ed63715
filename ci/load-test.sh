#!/usr/bin/env bash
# Bounded load test of a findash API: a fixed number of requests, then req/s, p50 and p99 are printed and checked
# against thresholds (PASS/FAIL lines); exits 1 when a threshold is missed or any request failed.
#
# Usage: ci/load-test.sh <base-url> [token]
#   Without a token the liveness endpoint is loaded; with one, the (cached) dashboard.
# Env (defaults):
#   LOAD_TOOL=autocannon|ab   (autocannon from node_modules when installed, else ab)
#   LOAD_PATH                 (/financial/dashboard with a token, /health/live without)
#   LOAD_REQUESTS=2000  LOAD_CONNECTIONS=10  LOAD_TIMEOUT_SECONDS=10 (per request)
#   LOAD_MAX_P99_MS=200  LOAD_MIN_RPS=50
#   LOAD_EXPECT_RATE_LIMIT=1  the point is the limit: pass when requests are answered 429 (none 5xx), no
#                             latency or throughput thresholds (use a token of a tenant at its default limit)
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 2
fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BASE_URL="${1%/}"
TOKEN="${2:-}"
REQUESTS="${LOAD_REQUESTS:-2000}"
CONNECTIONS="${LOAD_CONNECTIONS:-10}"
TIMEOUT="${LOAD_TIMEOUT_SECONDS:-10}"
MAX_P99_MS="${LOAD_MAX_P99_MS:-200}"
MIN_RPS="${LOAD_MIN_RPS:-50}"
if [ -n "$TOKEN" ]; then DEFAULT_PATH=/financial/dashboard; else DEFAULT_PATH=/health/live; fi
LOAD_PATH="${LOAD_PATH:-$DEFAULT_PATH}"
URL="$BASE_URL$LOAD_PATH"

AUTOCANNON="$REPO_ROOT/node_modules/.bin/autocannon"
TOOL="${LOAD_TOOL:-}"
if [ -z "$TOOL" ]; then
  if [ -x "$AUTOCANNON" ]; then TOOL=autocannon; else TOOL=ab; fi
fi

OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT

echo "load: $REQUESTS requests over $CONNECTIONS connections, GET $LOAD_PATH ($TOOL)"

# Every tool's result is reduced to: rps p50_ms p99_ms failures
case "$TOOL" in
  autocannon)
    [ -x "$AUTOCANNON" ] || die "autocannon not installed (npm ci), or set LOAD_TOOL=ab"
    args=(-c "$CONNECTIONS" -a "$REQUESTS" -t "$TIMEOUT" -j)
    [ -n "$TOKEN" ] && args+=(-H "authorization=Bearer $TOKEN")
    "$AUTOCANNON" "${args[@]}" "$URL" > "$OUT" 2> /dev/null || die "autocannon failed against $URL"
    read -r rps p50 p99 failures limited unexpected < <(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const failures = r.errors + r.timeouts + r.non2xx;
      const limited = r.statusCodeStats?.["429"]?.count ?? 0;
      console.log(r.requests.average, r.latency.p50, r.latency.p99, failures, limited, failures - limited);
    ' "$OUT")
    ;;
  ab)
    require_command ab "Debian package apache2-utils"
    args=(-n "$REQUESTS" -c "$CONNECTIONS" -s "$TIMEOUT" -q)
    [ -n "$TOKEN" ] && args+=(-H "Authorization: Bearer $TOKEN")
    ab "${args[@]}" "$URL" > "$OUT" 2>&1 || { cat "$OUT" >&2; die "ab failed against $URL"; }
    rps="$(awk '/^Requests per second:/ { print $4 }' "$OUT")"
    p50="$(awk '$1 == "50%" { print $2 }' "$OUT")"
    p99="$(awk '$1 == "99%" { print $2 }' "$OUT")"
    failed_requests="$(awk '/^Failed requests:/ { print $3 }' "$OUT")"
    non2xx="$(awk '/^Non-2xx responses:/ { print $3 }' "$OUT")"
    failures=$((${failed_requests:-0} + ${non2xx:-0}))
    # ab tells non-2xx answers apart but not their status (and counts their other length as failed too).
    limited="${non2xx:-0}"
    unexpected=0
    ;;
  *) die "LOAD_TOOL must be autocannon or ab, not $TOOL" ;;
esac

echo "req/s: $rps"
echo "p50: ${p50} ms"
echo "p99: ${p99} ms"
echo "failed or non-2xx: $failures"

if [ "${LOAD_EXPECT_RATE_LIMIT:-0}" = 1 ]; then
  # Every non-2xx must be a refusal by the limit (429; ab only tells non-2xx apart), and there must be some.
  if [ "$limited" -gt 0 ] && [ "$unexpected" -eq 0 ]; then
    echo "PASS $limited requests answered 429 (the rate limit), none failed otherwise"
    exit 0
  fi
  echo "FAIL expected 429s from the rate limit: $limited limited, $unexpected failed otherwise"
  exit 1
fi

status=0
# Decimal comparisons through awk: bash arithmetic is integer-only.
if awk -v a="$p99" -v b="$MAX_P99_MS" 'BEGIN { exit !(a <= b) }'; then
  echo "PASS p99 ${p99} ms <= ${MAX_P99_MS} ms"
else
  echo "FAIL p99 ${p99} ms > ${MAX_P99_MS} ms"
  status=1
fi
if awk -v a="$rps" -v b="$MIN_RPS" 'BEGIN { exit !(a >= b) }'; then
  echo "PASS ${rps} req/s >= ${MIN_RPS} req/s"
else
  echo "FAIL ${rps} req/s < ${MIN_RPS} req/s"
  status=1
fi
if [ "$failures" -eq 0 ]; then
  echo "PASS every request answered 2xx"
else
  echo "FAIL $failures requests failed or answered non-2xx"
  status=1
fi
exit "$status"
