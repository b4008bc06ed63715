import type { Row } from '../layout.js';
import { graph } from '../panels.js';
import { sel, errorRatioBy, errorRatio, p95 } from './queries.js';

/** Requests by route and status, errors and latency per route, rate limiting. */
export const trafficRow = (): Row => ({
  title: 'Traffic and latency',
  panels: [
    graph({
      title: 'Request rate by route',
      description: 'Requests per second per route template.',
      queries: [{ expr: `sum by (route) (findash:http_requests:rate5m{${sel}})`, legend: '{{route}}' }],
      unit: 'reqps',
      stacked: true,
    }),
    graph({
      title: 'Responses by status code',
      description: 'Requests per second per HTTP status code.',
      queries: [
        { expr: `sum by (status_code) (findash:http_requests:rate5m{${sel}})`, legend: '{{status_code}}' },
      ],
      unit: 'reqps',
      stacked: true,
    }),
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
    graph({
      title: 'API calls / minute',
      description: 'Requests per minute per pod.',
      queries: [{ expr: `sum by (pod) (findash:http_requests:rate5m{${sel}}) * 60`, legend: '{{pod}}' }],
      unit: 'short',
      stacked: true,
    }),
  ],
});
