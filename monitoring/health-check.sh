#!/usr/bin/env bash
# Checks that a findash API answers its health and metrics endpoints; one PASS/FAIL line per check.
#
# Usage: monitoring/health-check.sh <env|base-url>
#   env       development | testing | staging | production: the API's local port, the one the environment's
#             API listens on (127.0.0.1:8000 / 8001 / 8002); FINDASH_<ENV>_URL overrides one, and production has no
#             local default, so it needs FINDASH_PRODUCTION_URL.
#   base-url  e.g. http://127.0.0.1:8000 or https://findash.example.com
# Env:    HEALTH_CHECK_TIMEOUT seconds per request (default 5); HEALTH_CHECK_INSECURE=1 accepts a self-signed
#         certificate (kind ingress).
# Exit:   0 every check passed, 1 a check failed, 2 usage error.
set -euo pipefail

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
  exit 2
}

[ $# -eq 1 ] || usage
target="$1"
case "$target" in
  -h | --help) usage ;;
  http://* | https://*) base="$target" ;;
  development | dev) base="${FINDASH_DEVELOPMENT_URL:-http://127.0.0.1:8000}" ;;
  testing | test) base="${FINDASH_TESTING_URL:-http://127.0.0.1:8001}" ;;
  staging) base="${FINDASH_STAGING_URL:-http://127.0.0.1:8002}" ;;
  production | prod)
    base="${FINDASH_PRODUCTION_URL:-}"
    if [ -z "$base" ]; then
      echo "health-check: set FINDASH_PRODUCTION_URL (production is only reachable through its ingress)" >&2
      exit 2
    fi
    ;;
  *)
    echo "health-check: unknown environment '$target'" >&2
    usage
    ;;
esac
base="${base%/}"

curl_opts=(-sS --max-time "${HEALTH_CHECK_TIMEOUT:-5}")
[ "${HEALTH_CHECK_INSECURE:-0}" = 1 ] && curl_opts+=(-k)

body_file="$(mktemp)"
trap 'rm -f "$body_file"' EXIT
failures=0

# fetch PATH: sets $status (000 when there was no HTTP answer) and leaves the body in $body_file.
fetch() {
  status="$(curl "${curl_opts[@]}" -o "$body_file" -w '%{http_code}' "$base$1" 2>/dev/null)" || true
  [ -n "$status" ] || status=000
}

pass() { echo "PASS $1"; }
fail() {
  echo "FAIL $1"
  failures=$((failures + 1))
}

# /health: 200 with {"status":"healthy"}; a 503 names the unhealthy dependencies in its body.
fetch /health
if [ "$status" = 200 ] && grep -Eq '"status" *: *"healthy"' "$body_file"; then
  pass "GET $base/health -> 200 healthy"
elif [ "$status" = 000 ]; then
  fail "GET $base/health -> no answer"
else
  fail "GET $base/health -> $status $(head -c 300 "$body_file" | tr -d '\n')"
fi

# /health/ready: 200 when the pod should receive traffic.
fetch /health/ready
if [ "$status" = 200 ]; then
  pass "GET $base/health/ready -> 200"
else
  fail "GET $base/health/ready -> $([ "$status" = 000 ] && echo 'no answer' || echo "$status")"
fi

# /metrics: Prometheus text with the request histogram every dashboard and alert is built on.
fetch /metrics
if [ "$status" = 200 ] && grep -q '^# TYPE http_request_duration_seconds histogram' "$body_file"; then
  pass "GET $base/metrics -> 200 with http_request_duration_seconds"
elif [ "$status" = 200 ]; then
  fail "GET $base/metrics -> 200 but no http_request_duration_seconds histogram"
else
  fail "GET $base/metrics -> $([ "$status" = 000 ] && echo 'no answer' || echo "$status")"
fi

[ "$failures" -eq 0 ]
