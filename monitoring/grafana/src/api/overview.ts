import type { Row } from '../layout.js';
import { single } from '../panels.js';
import { JOB, sel, requestRate, errorRatio, p95, cacheHitRatio } from './queries.js';

/** The top row: is the API healthy right now, with the thresholds of the alerts. */
export const overviewRow = (): Row => ({
  title: 'Overview',
  panels: [
    single({
      title: 'Request rate',
      description: 'Requests per second answered by the selected pods, all routes.',
      queries: [{ expr: requestRate, legend: 'requests/s' }],
      unit: 'reqps',
    }),
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
    single({
      title: 'API calls / minute',
      description: 'Requests per minute answered by the selected pods.',
      queries: [{ expr: `${requestRate} * 60`, legend: 'calls/min' }],
      unit: 'short',
    }),
    single({
      title: 'Pods up',
      description:
        'API pods Prometheus can scrape, out of those it knows. Alert FindashApiDown fires when one is down for 2 minutes.',
      queries: [{ expr: `sum(up{job="${JOB}", ${sel}})`, legend: 'up' }],
      unit: 'short',
      decimals: 0,
    }),
  ],
});
