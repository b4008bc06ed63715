import type { Row } from '../layout.js';
import { graph, states } from '../panels.js';
import { sel, cacheHitRatio } from './queries.js';

const breakerStates = {
  '0': { text: 'closed', color: 'green' },
  '1': { text: 'open', color: 'red' },
  '2': { text: 'half-open', color: 'orange' },
} as const;

/** The dashboard cache: hit ratio, lookups, Memcached errors and its circuit breaker. */
export const cacheRow = (): Row => ({
  title: 'Cache',
  panels: [
    graph({
      title: 'Cache hit ratio',
      description: 'Dashboard cache hits / lookups over 5 minutes, whole namespace.',
      queries: [{ expr: cacheHitRatio, legend: 'hit ratio' }],
      unit: 'percentunit',
      min: 0,
      max: 1,
      steps: [{ value: 0.7, color: 'red' }],
    }),
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
  ],
});
