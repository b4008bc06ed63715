import type { Row } from '../layout.js';
import { graph } from '../panels.js';
import { sel } from './queries.js';

/** PostgreSQL as the API sees it: its connection pool, query times, errors, size and lock waits. */
export const databaseRow = (): Row => ({
  title: 'Database',
  panels: [
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
    graph({
      title: 'DB size',
      description: 'Size of the findash database (every pod reports the same value).',
      queries: [{ expr: 'max(findash_db_size_bytes{namespace="$namespace"})', legend: 'size' }],
      unit: 'bytes',
      width: 6,
    }),
    graph({
      title: 'Lock waits',
      description: 'Backends waiting on a lock (every pod reports the same value).',
      queries: [{ expr: 'max(findash_db_lock_waits{namespace="$namespace"})', legend: 'waiting' }],
      unit: 'short',
      min: 0,
      width: 6,
    }),
  ],
});
