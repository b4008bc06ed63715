/* eslint-disable @typescript-eslint/no-deprecated -- the SDK prefers dashboardv2 (Grafana 12 schema v2); the classic
   JSON model is what file provisioning, the Grafana sidecar ConfigMaps and Grafana 10/11 load. */
// "findash API": the seed's Monitoring Dashboard. Top row answers "is it healthy right now" with the same
// thresholds as the alerts; the rows below explain why, one dependency at a time.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { graph, single, states } from './panels.js';
import { datasourceVariable, instanceVariable, namespaceVariable } from './variables.js';

const JOB = 'findash-api';
/** Selected namespace and pods. */
const sel = 'namespace="$namespace", pod=~"$instance"';
/** Requests made by users: probes and scrapes are excluded, as in the alerts' SLIs. */
const user = 'route!~"/metrics|/health.*"';

const requestRate = `sum(findash:http_requests:rate5m{${sel}})`;
/**
 * 5xx share of user requests, summed by `labels`. A pod has no 5xx series until its first 5xx, so the numerator falls
 * back to 0 × the denominator: a healthy API shows 0%, not "No data".
 */
function errorRatioBy(...labels: string[]): string {
  const sum = labels.length === 0 ? 'sum' : `sum by (${labels.join(', ')}) `;
  const all = `${sum}(findash:http_requests:rate5m{${sel}, ${user}})`;
  return `(${sum}(findash:http_requests:rate5m{${sel}, ${user}, status_code=~"5.."}) or 0 * ${all}) / ${all}`;
}
const errorRatio = errorRatioBy();
const p95 = `histogram_quantile(0.95, sum by (le) (findash:http_request_duration_seconds_bucket:rate5m{${sel}, ${user}}))`;
const cacheHitRatio = `sum(findash:cache_hits:ratio_rate5m{namespace="$namespace", cache="dashboard"})`;

const breakerStates = {
  '0': { text: 'closed', color: 'green' },
  '1': { text: 'open', color: 'red' },
  '2': { text: 'half-open', color: 'orange' },
} as const;

export function apiDashboard(): dashboard.Dashboard {
  return new dashboard.DashboardBuilder('findash API')
    .uid('findash-api')
    .description(
      'findash API: traffic, errors, latency, cache, process, PostgreSQL, tenants and the audit outbox.',
    )
    .tags(['findash', 'api'])
    .timezone('browser')
    .time({ from: 'now-3h', to: 'now' })
    .refresh('30s')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .readonly()
    .withVariable(datasourceVariable())
    .withVariable(namespaceVariable(JOB))
    .withVariable(instanceVariable(JOB))

    .withRow(new dashboard.RowBuilder('Overview'))
    .withPanel(
      single({
        title: 'Request rate',
        description: 'Requests per second answered by the selected pods, all routes.',
        queries: [{ expr: requestRate, legend: 'requests/s' }],
        unit: 'reqps',
      }),
    )
    .withPanel(
      single({
        title: 'Error rate',
        description:
          'Share of user requests answered 5xx over 5 minutes. Alert FindashApiHighErrorRate fires above 1%.',
        queries: [{ expr: errorRatio, legend: '5xx' }],
        unit: 'percentunit',
        decimals: 2,
        steps: [
          { value: 0.005, color: 'orange' },
          { value: 0.01, color: 'red' },
        ],
      }),
    )
    .withPanel(
      single({
        title: 'p95 response time',
        description:
          '95th percentile of user request duration over 5 minutes. Alert FindashApiHighLatency fires above 500 ms.',
        queries: [{ expr: p95, legend: 'p95' }],
        unit: 's',
        steps: [
          { value: 0.2, color: 'orange' },
          { value: 0.5, color: 'red' },
        ],
      }),
    )
    .withPanel(
      single({
        title: 'Cache hit ratio',
        description:
          'Dashboard cache hits / lookups over 5 minutes, whole namespace. Alert FindashCacheHitRatioLow fires below 70%.',
        queries: [{ expr: cacheHitRatio, legend: 'hit ratio' }],
        unit: 'percentunit',
        min: 0,
        max: 1,
        steps: [
          { value: 0, color: 'red' },
          { value: 0.7, color: 'orange' },
          { value: 0.9, color: 'green' },
        ],
      }),
    )
    .withPanel(
      single({
        title: 'API calls / minute',
        description: 'Requests per minute answered by the selected pods.',
        queries: [{ expr: `${requestRate} * 60`, legend: 'calls/min' }],
        unit: 'short',
      }),
    )
    .withPanel(
      single({
        title: 'Pods up',
        description:
          'API pods Prometheus can scrape, out of those it knows. Alert FindashApiDown fires when one is down for 2 minutes.',
        queries: [{ expr: `sum(up{job="${JOB}", ${sel}})`, legend: 'up' }],
        unit: 'short',
        decimals: 0,
      }),
    )

    .withRow(new dashboard.RowBuilder('Traffic and latency'))
    .withPanel(
      graph({
        title: 'Request rate by route',
        description: 'Requests per second per route template.',
        queries: [{ expr: `sum by (route) (findash:http_requests:rate5m{${sel}})`, legend: '{{route}}' }],
        unit: 'reqps',
        stacked: true,
      }),
    )
    .withPanel(
      graph({
        title: 'Responses by status code',
        description: 'Requests per second per HTTP status code.',
        queries: [
          { expr: `sum by (status_code) (findash:http_requests:rate5m{${sel}})`, legend: '{{status_code}}' },
        ],
        unit: 'reqps',
        stacked: true,
      }),
    )
    .withPanel(
      graph({
        title: 'Error rate',
        description:
          'Share of user requests answered 5xx, overall and per route. The red line is the alert threshold.',
        queries: [
          { expr: errorRatio, legend: 'all routes' },
          { expr: errorRatioBy('route'), legend: '{{route}}' },
        ],
        unit: 'percentunit',
        min: 0,
        steps: [{ value: 0.01, color: 'red' }],
      }),
    )
    .withPanel(
      graph({
        title: 'Response time p95 by route',
        description:
          '95th percentile of request duration per route over 5 minutes; the overall p95 of user requests is the alert input.',
        queries: [
          { expr: p95, legend: 'all user routes' },
          {
            expr: `histogram_quantile(0.95, sum by (route, le) (findash:http_request_duration_seconds_bucket:rate5m{${sel}}))`,
            legend: '{{route}}',
          },
        ],
        unit: 's',
        min: 0,
        steps: [{ value: 0.5, color: 'red' }],
      }),
    )
    .withPanel(
      graph({
        title: 'Rate-limited requests',
        description: 'Requests answered 429 because a tenant exceeded its requests-per-minute limit.',
        queries: [
          {
            expr: `sum by (tenant_type) (rate(findash_rate_limited_total{${sel}}[$__rate_interval]))`,
            legend: '{{tenant_type}}',
          },
        ],
        unit: 'reqps',
      }),
    )
    .withPanel(
      graph({
        title: 'API calls / minute',
        description: 'Requests per minute per pod.',
        queries: [{ expr: `sum by (pod) (findash:http_requests:rate5m{${sel}}) * 60`, legend: '{{pod}}' }],
        unit: 'short',
        stacked: true,
      }),
    )

    .withRow(new dashboard.RowBuilder('Cache'))
    .withPanel(
      graph({
        title: 'Cache hit ratio',
        description: 'Dashboard cache hits / lookups over 5 minutes, whole namespace.',
        queries: [{ expr: cacheHitRatio, legend: 'hit ratio' }],
        unit: 'percentunit',
        min: 0,
        max: 1,
        steps: [{ value: 0.7, color: 'red' }],
      }),
    )
    .withPanel(
      graph({
        title: 'Cache lookups',
        description: 'Hits and misses per second on the selected pods.',
        queries: [
          { expr: `sum(rate(findash_cache_hits_total{${sel}}[$__rate_interval]))`, legend: 'hits' },
          { expr: `sum(rate(findash_cache_misses_total{${sel}}[$__rate_interval]))`, legend: 'misses' },
        ],
        unit: 'ops',
        stacked: true,
      }),
    )
    .withPanel(
      graph({
        title: 'Memcached errors',
        description: 'Memcached errors and timeouts per second by operation.',
        queries: [
          {
            expr: `sum by (operation) (rate(findash_cache_errors_total{${sel}}[$__rate_interval]))`,
            legend: '{{operation}}',
          },
        ],
        unit: 'ops',
      }),
    )
    .withPanel(
      states({
        title: 'Memcached circuit breaker',
        description:
          'Breaker state per pod: 0 closed (using Memcached), 1 open (bypassing it), 2 half-open (probing).',
        queries: [
          {
            expr: `max by (pod) (findash_circuit_breaker_state{${sel}, dependency="memcached"})`,
            legend: '{{pod}}',
          },
        ],
        unit: 'short',
        valueText: breakerStates,
      }),
    )

    .withRow(new dashboard.RowBuilder('Process'))
    .withPanel(
      graph({
        title: 'CPU',
        description:
          'CPU time per second per pod, as a share of one core (Node.js runs JavaScript on one thread). Alert FindashHighCpu fires above 80%.',
        queries: [
          {
            expr: `rate(process_cpu_seconds_total{job="${JOB}", ${sel}}[$__rate_interval])`,
            legend: '{{pod}}',
          },
        ],
        unit: 'percentunit',
        min: 0,
        steps: [{ value: 0.8, color: 'red' }],
        width: 8,
      }),
    )
    .withPanel(
      graph({
        title: 'Memory',
        description: 'Resident set size per pod.',
        queries: [{ expr: `process_resident_memory_bytes{job="${JOB}", ${sel}}`, legend: '{{pod}}' }],
        unit: 'bytes',
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      graph({
        title: 'Event-loop lag',
        description:
          'How late timers fire on the event loop; above a few milliseconds requests queue behind CPU work.',
        queries: [{ expr: `nodejs_eventloop_lag_seconds{job="${JOB}", ${sel}}`, legend: '{{pod}}' }],
        unit: 's',
        min: 0,
        width: 8,
      }),
    )

    .withRow(new dashboard.RowBuilder('Database'))
    .withPanel(
      graph({
        title: 'DB connections (pool)',
        description:
          'pg pool connections by state, summed over the selected pods, against the configured maximum (DATABASE_POOL_MAX per pod).',
        queries: [
          { expr: `sum by (state) (findash_db_pool_connections{${sel}})`, legend: '{{state}}' },
          { expr: `sum(findash_db_pool_max{${sel}})`, legend: 'max' },
        ],
        unit: 'short',
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      graph({
        title: 'Pool saturation',
        description:
          '(open + waiting) / max connections per pod. Above 100% requests queue for a connection; alert FindashDbPoolSaturated fires above 90%.',
        queries: [{ expr: `findash:db_pool_connections:saturation_ratio{${sel}}`, legend: '{{pod}}' }],
        unit: 'percentunit',
        min: 0,
        steps: [{ value: 0.9, color: 'red' }],
        width: 8,
      }),
    )
    .withPanel(
      graph({
        title: 'Query time p95',
        description: '95th percentile duration of domain queries by operation.',
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (operation, le) (rate(findash_db_query_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
            legend: '{{operation}}',
          },
        ],
        unit: 's',
        min: 0,
        width: 8,
      }),
    )
    .withPanel(
      graph({
        title: 'Slow queries',
        description: 'Queries per minute slower than DB_SLOW_QUERY_MS, by operation.',
        queries: [
          {
            expr: `sum by (operation) (rate(findash_db_slow_queries_total{${sel}}[$__rate_interval])) * 60`,
            legend: '{{operation}}',
          },
        ],
        unit: 'short',
        width: 6,
      }),
    )
    .withPanel(
      graph({
        title: 'DB errors',
        description: 'PostgreSQL errors per second by kind (connection, query, timeout).',
        queries: [
          {
            expr: `sum by (kind) (rate(findash_db_errors_total{${sel}}[$__rate_interval]))`,
            legend: '{{kind}}',
          },
        ],
        unit: 'ops',
        width: 6,
      }),
    )
    .withPanel(
      graph({
        title: 'DB size',
        description: 'Size of the findash database (every pod reports the same value).',
        queries: [{ expr: 'max(findash_db_size_bytes{namespace="$namespace"})', legend: 'size' }],
        unit: 'bytes',
        width: 6,
      }),
    )
    .withPanel(
      graph({
        title: 'Lock waits',
        description: 'Backends waiting on a lock (every pod reports the same value).',
        queries: [{ expr: 'max(findash_db_lock_waits{namespace="$namespace"})', legend: 'waiting' }],
        unit: 'short',
        min: 0,
        width: 6,
      }),
    )

    .withRow(new dashboard.RowBuilder('Tenants and usage'))
    .withPanel(
      single({
        title: 'Active users',
        // Each pod counts the subjects it served; the same user on several pods must not count several times,
        // so the panel shows the busiest pod's count (a lower bound of the distinct users), never the sum.
        description:
          'Distinct authenticated subjects seen in the last 5 minutes by the busiest pod: a lower bound of the distinct users (a user served by several pods counts once; summing pods would count them on each).',
        queries: [{ expr: `max(findash_active_users{${sel}})`, legend: 'users' }],
        unit: 'short',
        width: 6,
        height: 8,
      }),
    )
    .withPanel(
      single({
        title: 'Active tenants',
        description: 'Tenants with status active.',
        queries: [{ expr: 'max(findash_active_tenants{namespace="$namespace"})', legend: 'tenants' }],
        unit: 'short',
        width: 6,
        height: 8,
      }),
    )
    .withPanel(
      graph({
        title: 'Dashboard views',
        description: 'Dashboard views per minute by tenant type.',
        queries: [
          {
            expr: `sum by (tenant_type) (rate(findash_dashboard_views_total{${sel}}[$__rate_interval])) * 60`,
            legend: '{{tenant_type}}',
          },
        ],
        unit: 'short',
        stacked: true,
        width: 6,
      }),
    )
    .withPanel(
      graph({
        title: 'Audit events',
        description: 'Audit events written per minute by action.',
        queries: [
          {
            expr: `sum by (action) (rate(findash_audit_events_total{${sel}}[$__rate_interval])) * 60`,
            legend: '{{action}}',
          },
        ],
        unit: 'short',
        stacked: true,
        width: 6,
      }),
    )

    .withRow(new dashboard.RowBuilder('Audit outbox'))
    .withPanel(
      graph({
        title: 'Outbox depth',
        description:
          'Audit events waiting to be published to RabbitMQ. Alert FindashOutboxBacklog fires above 1000 for 10 minutes.',
        queries: [{ expr: 'max(findash_outbox_depth{namespace="$namespace"})', legend: 'waiting' }],
        unit: 'short',
        min: 0,
        steps: [{ value: 1000, color: 'red' }],
      }),
    )
    .withPanel(
      graph({
        title: 'Outbox publishing',
        description: 'Audit events confirmed by RabbitMQ and failed publish attempts per second.',
        queries: [
          {
            expr: `sum(rate(findash_outbox_published_total{${sel}}[$__rate_interval]))`,
            legend: 'published',
          },
          {
            expr: `sum(rate(findash_outbox_publish_failures_total{${sel}}[$__rate_interval]))`,
            legend: 'failures',
          },
        ],
        unit: 'ops',
      }),
    )
    .build();
}
