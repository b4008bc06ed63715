// The PromQL the API dashboard's rows share: the job, the selection by the dashboard's variables, and the
// user-request SLIs the alerts are defined on.

export const JOB = 'findash-api';
/** Selected namespace and pods. */
export const sel = 'namespace="$namespace", pod=~"$instance"';
/** Requests made by users: probes and scrapes are excluded, as in the alerts' SLIs. */
const user = 'route!~"/metrics|/health.*"';

export const requestRate = `sum(findash:http_requests:rate5m{${sel}})`;
/**
 * 5xx share of user requests, summed by `labels`. A pod has no 5xx series until its first 5xx, so the numerator falls
 * back to 0 × the denominator: a healthy API shows 0%, not "No data".
 */
export function errorRatioBy(...labels: string[]): string {
  const sum = labels.length === 0 ? 'sum' : `sum by (${labels.join(', ')}) `;
  const all = `${sum}(findash:http_requests:rate5m{${sel}, ${user}})`;
  return `(${sum}(findash:http_requests:rate5m{${sel}, ${user}, status_code=~"5.."}) or 0 * ${all}) / ${all}`;
}
export const errorRatio = errorRatioBy();
export const p95 = `histogram_quantile(0.95, sum by (le) (findash:http_request_duration_seconds_bucket:rate5m{${sel}, ${user}}))`;
export const cacheHitRatio = `sum(findash:cache_hits:ratio_rate5m{namespace="$namespace", cache="dashboard"})`;
