#!/usr/bin/env bash
# Lists the alerts firing in Prometheus, most severe first (the seed's `check-alerts.sh`).
#
# Usage: monitoring/check-alerts.sh [PROMETHEUS_URL]
#   PROMETHEUS_URL  Prometheus base URL; default $PROMETHEUS_URL, else http://127.0.0.1:9090
# Exit:  0 nothing critical is firing, 1 at least one critical alert is firing,
#        2 Prometheus could not be queried (unreachable, HTTP error, not an alerts response).
# Needs curl and node (already required by the project); no jq.
set -euo pipefail

case "${1:-}" in
  -h | --help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 0
    ;;
esac

base="${1:-${PROMETHEUS_URL:-http://127.0.0.1:9090}}"
base="${base%/}"

if ! body="$(curl -fsS --max-time 10 "$base/api/v1/alerts" 2>&1)"; then
  echo "check-alerts: cannot query $base/api/v1/alerts: $body" >&2
  exit 2
fi

# Prometheus answers {"status":"success","data":{"alerts":[{labels, annotations, state, activeAt, value}]}}.
# Pending alerts (inside their `for:` window) are counted but are not firing yet, so they never fail the check.
# shellcheck disable=SC2016 # the single-quoted program is JavaScript, not shell
CHECK_ALERTS_URL="$base" node --input-type=module -e '
let raw = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) raw += chunk;
let doc;
try {
  doc = JSON.parse(raw);
} catch {
  console.error(`check-alerts: ${process.env.CHECK_ALERTS_URL}/api/v1/alerts did not answer JSON`);
  process.exit(2);
}
const alerts = doc?.data?.alerts;
if (doc?.status !== "success" || !Array.isArray(alerts)) {
  console.error(`check-alerts: unexpected answer from ${process.env.CHECK_ALERTS_URL}/api/v1/alerts: ${raw.slice(0, 200)}`);
  process.exit(2);
}
const rank = { critical: 0, warning: 1, info: 2 };
const severity = (a) => a.labels?.severity ?? "none";
const firing = alerts
  .filter((a) => a.state === "firing")
  .sort((a, b) => (rank[severity(a)] ?? 3) - (rank[severity(b)] ?? 3) || String(a.labels?.alertname).localeCompare(String(b.labels?.alertname)));
const pending = alerts.filter((a) => a.state === "pending").length;
for (const a of firing) {
  const { alertname = "?", severity: _s, ...rest } = a.labels ?? {};
  const labels = Object.entries(rest).map(([k, v]) => `${k}="${v}"`).join(", ");
  const summary = a.annotations?.summary ?? "";
  console.log(`FIRING ${severity(a).padEnd(8)} ${alertname} {${labels}} since ${a.activeAt ?? "?"}${summary ? ` - ${summary}` : ""}`);
}
const critical = firing.filter((a) => severity(a) === "critical").length;
if (firing.length === 0) console.log(`OK: no alerts firing (${pending} pending)`);
else console.log(`${firing.length} firing (${critical} critical), ${pending} pending`);
process.exit(critical > 0 ? 1 : 0);
' <<<"$body"
