#!/usr/bin/env bash
# Smoke test a running findash API: health, readiness, metrics and (with a tenant token) the dashboard.
# One PASS/FAIL line per check, then "N passed, M failed"; exits 1 if any check failed.
#
# Usage: ci/smoke-test.sh <base-url> [token]
#   base-url  e.g. http://127.0.0.1:8000 or https://findash.example.com
#   token     a tenant API token (kubectl -n tenant-<t> get secret <client>-token -o jsonpath='{.data.token}' | base64 -d);
#             without it the dashboard is only checked to refuse anonymous requests.
# Env: SMOKE_METRICS_URL  base URL of the API's metrics listener (METRICS_PORT); when set, /metrics is checked
#                         there and must NOT be served on <base-url> (the port an Ingress routes to);
#      SMOKE_WAIT_SECONDS (default 30) how long to wait for the API to answer at all;
#      SMOKE_TIMEOUT_SECONDS (default 10) per request.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 2
fi
BASE_URL="${1%/}"
TOKEN="${2:-}"
WAIT_SECONDS="${SMOKE_WAIT_SECONDS:-30}"
TIMEOUT="${SMOKE_TIMEOUT_SECONDS:-10}"

command -v curl > /dev/null || { echo "error: curl is required" >&2; exit 2; }
command -v node > /dev/null || { echo "error: node is required (JSON checks)" >&2; exit 2; }

BODY="$(mktemp)"
trap 'rm -f "$BODY"' EXIT
# shellcheck source-path=SCRIPTDIR source=lib/checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/checks.sh"

# request PATH [curl args...] -> sets STATUS and CONTENT_TYPE, body in $BODY
request() {
  local path="$1" out
  shift
  out="$(curl -sS -o "$BODY" -w '%{http_code} %{content_type}' --max-time "$TIMEOUT" "$@" "$BASE_URL$path" 2>/dev/null)" || out="000 "
  STATUS="${out%% *}"
  CONTENT_TYPE="${out#* }"
}

# json_check EXPRESSION: evaluates a JS boolean expression over the parsed body `b`; prints why on failure.
json_check() {
  node -e '
    const fs = require("fs");
    let b;
    try { b = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { console.log("body is not JSON"); process.exit(1); }
    let ok = false;
    try { ok = Boolean(eval(process.argv[2])); } catch (e) { console.log(String(e)); process.exit(1); }
    if (!ok) { console.log("unexpected JSON: " + JSON.stringify(b).slice(0, 200)); process.exit(1); }
  ' "$BODY" "$1"
}

# Wait for the API to answer anything (a fresh port-forward or ingress may take a moment).
deadline=$((SECONDS + WAIT_SECONDS))
until request /health/live && [ "$STATUS" != "000" ]; do
  if [ $SECONDS -ge $deadline ]; then
    fail "GET /health/live: no answer from $BASE_URL within ${WAIT_SECONDS}s"
    echo "$passed passed, $failed failed"
    exit 1
  fi
  sleep 1
done

# check LABEL WANT_STATUS JS_EXPRESSION PATH [curl args...]: one PASS/FAIL line for a JSON endpoint.
check() {
  local label="$1" want="$2" expr="$3" path="$4" why=""
  shift 4
  request "$path" "$@"
  if [ "$STATUS" = "$want" ] && why="$(json_check "$expr")"; then
    pass "$label $STATUS"
  else
    fail "$label status=$STATUS (want $want)${why:+ $why}"
  fi
}

check "GET /health/live" 200 'b.status === "alive"' /health/live
# 200 healthy or degraded (a cache outage degrades, it does not fail), with one entry per dependency.
check "GET /health" 200 '["healthy","degraded"].includes(b.status) && typeof b.checks === "object"' /health
check "GET /health/ready" 200 '["healthy","degraded"].includes(b.status)' /health/ready

METRICS_BASE="${SMOKE_METRICS_URL:-}"
if [ -n "$METRICS_BASE" ]; then
  request /metrics
  if [ "$STATUS" = 404 ]; then
    pass "GET /metrics 404 on the API port (metrics are on their own listener)"
  else
    fail "GET /metrics status=$STATUS on the API port (want 404: metrics must not be reachable where the Ingress routes)"
  fi
  api_base="$BASE_URL"
  BASE_URL="${METRICS_BASE%/}"
fi
request /metrics
if [ "$STATUS" = 200 ] && [[ "$CONTENT_TYPE" == text/plain* ]] && grep -q '^http_request_duration_seconds_bucket' "$BODY"; then
  pass "GET /metrics 200 ($(grep -c '^# TYPE' "$BODY") metric families)"
else
  fail "GET /metrics status=$STATUS content-type=$CONTENT_TYPE (want 200 text/plain with http_request_duration_seconds)"
fi
[ -n "$METRICS_BASE" ] && BASE_URL="$api_base"

check "GET /financial/dashboard without token" 401 'b.statusCode === 401 && typeof b.message === "string"' \
  /financial/dashboard

if [ -n "$TOKEN" ]; then
  auth=(-H "Authorization: Bearer $TOKEN")
  check "GET /financial/dashboard" 200 \
    '["financial_summary","account_summaries","transaction_summary","budget_statuses","tenant_info"].every((k) => k in b) && Array.isArray(b.account_summaries) && Array.isArray(b.budget_statuses)' \
    /financial/dashboard "${auth[@]}"
  check "GET /financial/dashboard/summary" 200 '"total_balance" in b && "total_accounts" in b' \
    /financial/dashboard/summary "${auth[@]}"
else
  echo "SKIP GET /financial/dashboard with a token (none given)"
fi

checks_summary
