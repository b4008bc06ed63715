import fp from 'fastify-plugin';

import { countAuditEvents } from '../../audit/committed-actions.js';
import { dashboardViewHook } from '../../audit/dashboard-views.js';
import { OutboxPublisher } from '../../audit/outbox-publisher.js';
import { ViewRecorder } from '../../audit/view-recorder.js';
import type { ActorContext } from '../../domain/context.js';
import { HotCounter } from '../../metrics/hot-counter.js';
import { asArray } from '../../http/route-hooks.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The outbox publisher, or null without AMQP_URL (events then wait in the outbox). */
    outboxPublisher: OutboxPublisher | null;
    viewRecorder: ViewRecorder;
  }
}

/**
 * Wires the audit trail (app/audit/) into the app:
 * - findash_audit_events_total counts the audit events of each committed transaction;
 * - the outbox publisher runs when AMQP_URL is set. Every replica runs one; their claims never
 *   overlap (SKIP LOCKED). RabbitMQ being down is `degraded` in /health, never `down`: writes go
 *   on and their events wait in the outbox until the broker is back;
 * - dashboard views are audited without slowing them down: each successful dashboard response
 *   is counted (findash_dashboard_views_total) and recorded after it is sent; the recorder
 *   writes them in batches every AUDIT_VIEW_FLUSH_MS or AUDIT_VIEW_BATCH_SIZE viewer groups, and
 *   once more on shutdown, before the database pool closes.
 */
export default fp(
  async (fastify) => {
    const { config, metrics, db } = fastify;
    const stopCounting = countAuditEvents(db, metrics.auditEvents);
    fastify.addHook('onClose', async () => stopCounting());

    const publisher = config.AMQP_URL ? startPublisher(config.AMQP_URL) : null;
    if (!publisher) {
      fastify.log.info('AMQP_URL is not set: audit events stay in the outbox until a broker is configured');
    }
    fastify.decorate('outboxPublisher', publisher);

    const recorder = new ViewRecorder(db, {
      flushIntervalMs: config.AUDIT_VIEW_FLUSH_MS,
      batchSize: config.AUDIT_VIEW_BATCH_SIZE,
      onFlushed: () => publisher?.nudge(),
      onDropped: (views) =>
        fastify.log.error({ dropped: views }, 'dashboard view audit buffer full; oldest views dropped'),
      onError: (error, pending) => {
        fastify.recordDbError(error);
        fastify.log.warn(
          { err: (error as Error).message, pending },
          'dashboard views not written yet; will retry',
        );
      },
    });
    fastify.decorate('viewRecorder', recorder);
    const views = new HotCounter<ActorContext['tenantType']>(metrics.dashboardViews, 'tenant_type', metrics);
    fastify.addHook('onRoute', (route) => {
      const hook = dashboardViewHook(route.url, recorder, (tenantType) => views.inc(tenantType));
      if (hook) route.onSend = [...asArray(route.onSend), hook];
    });
    fastify.addHook('onReady', async () => recorder.start());
    // onClose hooks run in reverse: the view batch is flushed before the publisher stops.
    fastify.addHook('onClose', async () => {
      await recorder.stop();
      if (recorder.pending > 0) {
        fastify.log.error({ lost: recorder.pending }, 'dashboard views could not be audited before shutdown');
      }
    });

    function startPublisher(url: string): OutboxPublisher {
      let lastError = '';
      const outbox = new OutboxPublisher(db, {
        url,
        pollMs: config.AUDIT_OUTBOX_POLL_MS,
        onPublished: (count) => metrics.outboxPublished.inc(count),
        onFailure: (error) => {
          metrics.outboxFailures.inc();
          lastError = error.message;
          fastify.log.warn({ err: error.message }, 'audit outbox publish failed; will retry');
        },
        onConnectionChange: (connected, error) => {
          if (connected) fastify.log.info('connected to RabbitMQ; publishing audit events');
          else fastify.log.warn({ err: error?.message }, 'lost RabbitMQ; audit events wait in the outbox');
        },
      });
      fastify.addHealthCheck({
        name: 'rabbitmq',
        critical: false,
        run: async () =>
          outbox.connected
            ? { status: 'up' }
            : {
                status: 'degraded',
                detail: `not connected${lastError ? ` (${lastError})` : ''}; audit events wait in the outbox`,
              },
      });
      fastify.addHook('onReady', async () => outbox.start());
      fastify.addHook('onClose', async () => outbox.stop());
      return outbox;
    }
  },
  { name: 'audit', dependencies: ['config', 'db', 'metrics', 'db-metrics', 'health', 'auth'] },
);
