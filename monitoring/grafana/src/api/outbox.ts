import type { Row } from '../layout.js';
import { graph } from '../panels.js';
import { sel } from './queries.js';

/** The audit outbox: events waiting for RabbitMQ, and how publishing goes. */
export const outboxRow = (): Row => ({
  title: 'Audit outbox',
  panels: [
    graph({
      title: 'Outbox depth',
      description:
        'Audit events waiting to be published to RabbitMQ. Alert FindashOutboxBacklog fires above 1000 for 10 minutes.',
      queries: [{ expr: 'max(findash_outbox_depth{namespace="$namespace"})', legend: 'waiting' }],
      unit: 'short',
      min: 0,
      steps: [{ value: 1000, color: 'red' }],
    }),
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
  ],
});
