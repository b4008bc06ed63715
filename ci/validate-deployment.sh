#!/usr/bin/env bash
# The seed's Deployment Validation Checklist against a deployed findash: one PASS/FAIL line per check with the
# figure behind it, then "N passed, N failed"; exits 1 if any check failed.
#
# Usage: ci/validate-deployment.sh [options] <base-url>
#   base-url                 the load balancer / ingress, e.g. https://findash.example.com
# Options (or the environment variable beside each):
#   --token T                VALIDATE_TOKEN            a tenant API token (dashboard, authentication, performance)
#   --cacert FILE            VALIDATE_CACERT           CA certificate the TLS check verifies the server against
#   --prometheus URL         PROMETHEUS_URL            Prometheus scraping the deployment (targets check)
#   --logs-cmd CMD           VALIDATE_LOGS_CMD         prints recent API logs, e.g.
#                                                      "kubectl -n findash logs -l app.kubernetes.io/component=api --tail=500"
#   --rollback-cmd CMD       VALIDATE_ROLLBACK_CMD     rolls the API back to the previous build, e.g. "npm run stack:rollback"
#   --rollforward-cmd CMD    VALIDATE_ROLLFORWARD_CMD  rolls it forward again, e.g. "npm run stack:rollback -- --forward"
# Tuning: VALIDATE_AB_REQUESTS=100 VALIDATE_AB_CONCURRENCY=10 VALIDATE_MAX_AVG_MS=200 (the seed's ab check),
#         VALIDATE_REQUIRED_JOBS="findash-api findash-operator", VALIDATE_TIMEOUT=10 (seconds per request).
# A check whose input is missing (no token, no Prometheus URL, no hook) FAILS and says what to pass: nothing is
# skipped silently. Needs curl, ab (apache2-utils), openssl and node.
set -uo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib/checks.sh
. "$CI_DIR/lib/checks.sh"

TOKEN="${VALIDATE_TOKEN:-}"
CACERT="${VALIDATE_CACERT:-}"
PROM="${PROMETHEUS_URL:-}"
LOGS_CMD="${VALIDATE_LOGS_CMD:-}"
ROLLBACK_CMD="${VALIDATE_ROLLBACK_CMD:-}"
ROLLFORWARD_CMD="${VALIDATE_ROLLFORWARD_CMD:-}"
AB_N="${VALIDATE_AB_REQUESTS:-100}"
AB_C="${VALIDATE_AB_CONCURRENCY:-10}"
MAX_AVG_MS="${VALIDATE_MAX_AVG_MS:-200}"
REQUIRED_JOBS="${VALIDATE_REQUIRED_JOBS:-findash-api findash-operator}"
TIMEOUT="${VALIDATE_TIMEOUT:-10}"
BASE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --token) TOKEN="${2:-}"; shift 2 ;;
    --cacert) CACERT="${2:-}"; shift 2 ;;
    --prometheus) PROM="${2:-}"; shift 2 ;;
    --logs-cmd) LOGS_CMD="${2:-}"; shift 2 ;;
    --rollback-cmd) ROLLBACK_CMD="${2:-}"; shift 2 ;;
    --rollforward-cmd) ROLLFORWARD_CMD="${2:-}"; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "validate-deployment: unknown option $1" >&2; usage ;;
    *) [ -z "$BASE" ] || usage; BASE="$1"; shift ;;
  esac
done
[ -n "$BASE" ] || usage
BASE="${BASE%/}"
PROM="${PROM%/}"
for cmd in curl ab openssl node; do
  command -v "$cmd" > /dev/null 2>&1 || { echo "validate-deployment: $cmd is required" >&2; exit 2; }
done

WORK="$(mktemp -d)"
AB_PID=""
cleanup() {
  [ -n "$AB_PID" ] && kill "$AB_PID" 2> /dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

curl_tls=()
if [ -n "$CACERT" ]; then curl_tls=(--cacert "$CACERT"); fi

# get PATH [curl args...]: sets STATUS, TIME_MS; body in $WORK/body.
get() {
  local path="$1" out
  shift
  out="$(curl -sS "${curl_tls[@]}" -o "$WORK/body" -w '%{http_code} %{time_total}' --max-time "$TIMEOUT" "$@" "$BASE$path" 2> "$WORK/curl-err")" || out="000 0"
  STATUS="${out%% *}"
  TIME_MS="$(awk -v s="${out#* }" 'BEGIN { printf "%.1f", s * 1000 }')"
}

# js EXPR FILE: evaluates a JavaScript expression over the JSON in FILE (bound to `b`) and prints the result;
# exits 1 (printing why) when the file is not JSON or the expression throws.
js() {
  node -e '
    const fs = require("fs");
    let b;
    try { b = JSON.parse(fs.readFileSync(process.argv[2], "utf8")); } catch { console.log("not JSON: " + fs.readFileSync(process.argv[2], "utf8").slice(0, 160).replace(/\s+/g, " ")); process.exit(1); }
    try { const v = eval(process.argv[1]); console.log(typeof v === "string" ? v : JSON.stringify(v)); } catch (e) { console.log(String(e)); process.exit(1); }
  ' "$1" "$2"
}

curl_error() { tr '\n' ' ' < "$WORK/curl-err" | cut -c1-200; }

# 1. Health: {"status":"healthy"}.
get /health
cp "$WORK/body" "$WORK/health"
if [ "$STATUS" = 200 ] && [ "$(js 'b.status' "$WORK/health")" = healthy ]; then
  pass "health" "GET /health -> 200 {\"status\":\"healthy\"} in ${TIME_MS} ms; checks $(js 'Object.entries(b.checks||{}).map(([k,v])=>k+"="+v.status).join(" ")' "$WORK/health")"
elif [ "$STATUS" = 000 ]; then
  fail "health" "GET $BASE/health: no answer ($(curl_error))"
else
  fail "health" "GET /health -> $STATUS $(head -c 300 "$WORK/health" | tr -d '\n')"
fi

# 2. Dashboard API: valid JSON with the documented sections.
if [ -z "$TOKEN" ]; then
  fail "dashboard API" "no token: pass --token or VALIDATE_TOKEN"
else
  get /financial/dashboard -H "Authorization: Bearer $TOKEN"
  if [ "$STATUS" = 200 ] && keys="$(js '["financial_summary","account_summaries","transaction_summary","budget_statuses","tenant_info"].filter(k => !(k in b)).join(",") || "all"' "$WORK/body")" && [ "$keys" = all ]; then
    pass "dashboard API" "GET /financial/dashboard -> 200, valid JSON ($(wc -c < "$WORK/body") bytes, tenant $(js 'b.tenant_info.name' "$WORK/body"), $(js 'b.account_summaries.length' "$WORK/body") accounts) in ${TIME_MS} ms"
  else
    fail "dashboard API" "GET /financial/dashboard -> $STATUS ${keys:+missing: $keys }$(head -c 200 "$WORK/body" | tr -d '\n')"
  fi
fi

# 3 and 4. Database and cache connectivity, as the API itself reports them in /health.
# dependency_check NAME LABEL JS-KEY-MATCH
dependency_check() {
  local name="$1" label="$2" match="$3" line
  if ! line="$(js "(() => { const e = Object.entries(b.checks || {}).find(([k]) => $match); if (!e) return 'none'; const [k, v] = e; return v.status + ' ' + k + ' ' + (v.latency_ms ?? '?') + ' ' + (v.detail ?? '').replace(/\\s+/g, '_'); })()" "$WORK/health")"; then
    fail "$name" "/health did not answer JSON: $line"
    return
  fi
  read -r status key latency detail <<< "$line"
  if [ "$status" = up ]; then
    pass "$name" "/health check \"$key\" up, ${latency} ms"
  elif [ "$status" = none ]; then
    fail "$name" "/health reports no $label check (checks: $(js 'Object.keys(b.checks||{}).join(",")' "$WORK/health"))"
  else
    fail "$name" "/health check \"$key\" $status ${detail//_/ }"
  fi
}
dependency_check "database connectivity" "database" '/database|postgres/i.test(k)'
dependency_check "cache connectivity" "cache" '/cache|memcached/i.test(k)'

# 5. Authentication: a valid token is accepted, an invalid one and none are refused.
if [ -z "$TOKEN" ]; then
  fail "authentication" "no token: pass --token or VALIDATE_TOKEN"
else
  get /financial/dashboard/summary -H "Authorization: Bearer $TOKEN"
  valid="$STATUS"
  get /financial/dashboard/summary -H "Authorization: Bearer fd_invalid_$(date +%s%N)"
  invalid="$STATUS"
  get /financial/dashboard/summary
  none="$STATUS"
  if [ "$valid" = 200 ] && [ "$invalid" = 401 ] && [ "$none" = 401 ]; then
    pass "authentication" "valid token -> $valid, invalid token -> $invalid, no token -> $none"
  else
    fail "authentication" "valid token -> $valid (want 200), invalid token -> $invalid (want 401), no token -> $none (want 401)"
  fi
fi

# 6. Performance: the seed's `ab -n 100 -c 10` on the dashboard, through the load balancer.
if [ -z "$TOKEN" ]; then
  fail "performance" "no token: pass --token or VALIDATE_TOKEN"
else
  if ab -q -n "$AB_N" -c "$AB_C" -s "$TIMEOUT" -H "Authorization: Bearer $TOKEN" "$BASE/financial/dashboard" > "$WORK/ab" 2>&1; then
    mean="$(awk '/^Time per request:/ && /\(mean\)/ { print $4; exit }' "$WORK/ab")"
    rps="$(awk '/^Requests per second:/ { print $4 }' "$WORK/ab")"
    p99="$(awk '$1 == "99%" { print $2 }' "$WORK/ab")"
    complete="$(awk '/^Complete requests:/ { print $3 }' "$WORK/ab")"
    bad="$(awk '/^Failed requests:/ { f = $3 } /^Non-2xx responses:/ { n = $3 } END { print f + n }' "$WORK/ab")"
    figure="ab -n $AB_N -c $AB_C: average ${mean} ms per request (limit ${MAX_AVG_MS} ms), p99 ${p99} ms, ${rps} req/s, ${complete} complete, ${bad} failed or non-2xx"
    if [ "$bad" = 0 ] && [ "$complete" = "$AB_N" ] && awk -v a="$mean" -v b="$MAX_AVG_MS" 'BEGIN { exit !(a < b) }'; then
      pass "performance" "$figure"
    else
      fail "performance" "$figure"
    fi
  else
    fail "performance" "ab failed: $(tail -n 3 "$WORK/ab" | tr '\n' ' ')"
  fi
fi

# 7. TLS: the certificate verifies against the CA, modern protocol, plain HTTP is not what answers.
case "$BASE" in
  https://*)
    hostport="${BASE#https://}"
    hostport="${hostport%%/*}"
    host="${hostport%:*}"
    [ "$host" = "$hostport" ] && hostport="$hostport:443"
    s_client=(openssl s_client -connect "$hostport" -servername "$host" -brief)
    [ -n "$CACERT" ] && s_client+=(-CAfile "$CACERT")
    "${s_client[@]}" < /dev/null > "$WORK/tls" 2>&1
    protocol="$(awk -F': ' '/^Protocol version/ { print $2 }' "$WORK/tls")"
    cipher="$(awk -F': ' '/^Ciphersuite/ { print $2 }' "$WORK/tls")"
    verification="$(awk -F': ' '/^Verification/ { print $2 }' "$WORK/tls")"
    get /health/live
    if [ "$verification" = OK ] && [[ "$protocol" == TLSv1.[23] ]] && [ "$STATUS" = 200 ]; then
      pass "TLS" "$protocol $cipher, certificate verified${CACERT:+ against $CACERT}, HTTPS GET /health/live -> 200"
    else
      fail "TLS" "protocol '${protocol:-none}', verification '${verification:-none}', HTTPS GET -> $STATUS $(curl_error)"
    fi
    ;;
  *) fail "TLS" "$BASE is not an https:// URL" ;;
esac

# 8. Prometheus: every target UP, the findash jobs among them, the alert rules loaded.
if [ -z "$PROM" ]; then
  fail "Prometheus targets" "no Prometheus URL: pass --prometheus or PROMETHEUS_URL"
else
  # Targets appear DOWN until their first scrape; allow a few scrape intervals.
  deadline=$((SECONDS + 30))
  while :; do
    if curl -fsS --max-time "$TIMEOUT" "$PROM/api/v1/targets?state=active" -o "$WORK/targets" 2> "$WORK/curl-err"; then
      summary="$(REQUIRED="$REQUIRED_JOBS" js '(() => {
        const t = b.data.activeTargets; const jobs = {};
        for (const x of t) { jobs[x.labels.job] ??= [0, 0]; jobs[x.labels.job][1]++; if (x.health === "up") jobs[x.labels.job][0]++; }
        const missing = process.env.REQUIRED.split(/\s+/).filter(j => j && !jobs[j]);
        const up = t.filter(x => x.health === "up").length;
        const down = t.filter(x => x.health !== "up").map(x => x.labels.job + "/" + x.labels.instance + " (" + (x.lastError || x.health) + ")");
        return (up === t.length && t.length > 0 && missing.length === 0 ? "ok" : "bad") + " " + up + "/" + t.length + " targets up (" +
          Object.entries(jobs).map(([j, [u, n]]) => j + " " + u + "/" + n).join(", ") + ")" +
          (missing.length ? "; missing jobs " + missing.join(",") : "") + (down.length ? "; down: " + down.join("; ") : "");
      })()' "$WORK/targets")"
      [ "${summary%% *}" = ok ] && break
    else
      summary="bad cannot query $PROM/api/v1/targets: $(curl_error)"
    fi
    [ $SECONDS -ge $deadline ] && break
    sleep 2
  done
  rules="$(curl -fsS --max-time "$TIMEOUT" "$PROM/api/v1/rules" -o "$WORK/rules" 2> /dev/null && js '(() => { const g = b.data.groups; return g.length + " rule groups, " + g.reduce((n, x) => n + x.rules.filter(r => r.type === "alerting").length, 0) + " alerts loaded"; })()' "$WORK/rules" || echo "rules unknown")"
  if [ "${summary%% *}" = ok ]; then
    pass "Prometheus targets" "${summary#* }; $rules"
  else
    fail "Prometheus targets" "${summary#* }; $rules"
  fi
fi

# 9. Logs flowing: a request with a unique id through the load balancer shows up in the API logs.
if [ -z "$LOGS_CMD" ]; then
  fail "logs flowing" "no logs command: pass --logs-cmd or VALIDATE_LOGS_CMD"
else
  marker="validate-$(date +%s)-$RANDOM$RANDOM"
  get /health/live -H "X-Request-Id: $marker"
  sent_status="$STATUS"
  start_ms=$(($(date +%s%N) / 1000000))
  found=""
  deadline=$((SECONDS + 15))
  while [ $SECONDS -lt $deadline ]; do
    if bash -c "$LOGS_CMD" > "$WORK/logs" 2>&1 && grep -q -- "$marker" "$WORK/logs"; then
      found="$(grep -m1 -- "$marker" "$WORK/logs" | cut -c1-160)"
      break
    fi
    sleep 1
  done
  if [ -n "$found" ]; then
    pass "logs flowing" "request $marker (-> $sent_status) found in the API logs after $(($(date +%s%N) / 1000000 - start_ms)) ms: $found"
  else
    fail "logs flowing" "request $marker (-> $sent_status) not in the output of '$LOGS_CMD' within 15 s ($(wc -l < "$WORK/logs") lines read)"
  fi
fi

# 10. Rollback capability: back to the previous build and forward again while a client keeps requesting
# through the load balancer; no request may fail. ab without keep-alive (one TLS connection per request) and -r
# (count socket errors instead of stopping); SIGINT makes ab print its results so far.
if [ -z "$ROLLBACK_CMD" ] || [ -z "$ROLLFORWARD_CMD" ]; then
  fail "rollback capability" "no rollback hook: pass --rollback-cmd and --rollforward-cmd (or VALIDATE_ROLLBACK_CMD / VALIDATE_ROLLFORWARD_CMD)"
elif [ -z "$TOKEN" ]; then
  fail "rollback capability" "no token: pass --token or VALIDATE_TOKEN"
else
  ab -r -t 900 -n 50000000 -c 4 -s "$TIMEOUT" -H "Authorization: Bearer $TOKEN" "$BASE/financial/dashboard/summary" > "$WORK/ab-rollback" 2>&1 &
  AB_PID=$!
  sleep 1
  started=$SECONDS
  bash -c "$ROLLBACK_CMD" > "$WORK/rollback" 2>&1
  back=$?
  bash -c "$ROLLFORWARD_CMD" > "$WORK/rollforward" 2>&1
  forward=$?
  took=$((SECONDS - started))
  sleep 1
  kill -INT "$AB_PID" 2> /dev/null
  wait "$AB_PID" 2> /dev/null
  AB_PID=""
  complete="$(awk '/^Complete requests:/ { print $3 }' "$WORK/ab-rollback")"
  # ab counts an answer whose length differs from the first one as failed ("Length"); a body may change
  # legitimately, so only connection, receive and exception errors and non-2xx statuses count here.
  read -r failures breakdown <<< "$(awk '
    /\(Connect:/ { gsub(/[(),]/, ""); for (i = 1; i < NF; i++) e[$i] = $(i + 1) }
    /^Non-2xx responses:/ { non2xx = $3 }
    END { printf "%d connect=%d,receive=%d,exceptions=%d,non-2xx=%d,length-differs=%d\n",
      e["Connect:"] + e["Receive:"] + e["Exceptions:"] + non2xx, e["Connect:"], e["Receive:"], e["Exceptions:"], non2xx, e["Length:"] }' "$WORK/ab-rollback")"
  back_line="$(grep -v '^\s*$' "$WORK/rollback" | tail -n 1)"
  forward_line="$(grep -v '^\s*$' "$WORK/rollforward" | tail -n 1)"
  figure="rollback exit $back ('$back_line'), forward exit $forward ('$forward_line') in ${took} s; ${complete:-0} requests through the load balancer meanwhile, ${failures:-?} failed ($breakdown)"
  if [ "$back" = 0 ] && [ "$forward" = 0 ] && [ "${complete:-0}" -gt 0 ] && [ "${failures:-1}" = 0 ]; then
    pass "rollback capability" "$figure"
  else
    fail "rollback capability" "$figure"
    tail -n 5 "$WORK/rollback" "$WORK/rollforward" >&2
  fi
fi

checks_summary
