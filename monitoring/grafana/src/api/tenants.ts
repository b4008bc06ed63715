import type { Row } from '../layout.js';
import { graph, single } from '../panels.js';
import { sel } from './queries.js';

/** Who uses the API: active users and tenants, dashboard views, audit events. */
export const tenantsRow = (): Row => ({
  title: 'Tenants and usage',
  panels: [
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
    single({
      title: 'Active tenants',
      description: 'Tenants with status active.',
      queries: [{ expr: 'max(findash_active_tenants{namespace="$namespace"})', legend: 'tenants' }],
      unit: 'short',
      width: 6,
      height: 8,
    }),
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
  ],
});
