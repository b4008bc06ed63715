import type { onSendHookHandler } from 'fastify';
import fp from 'fastify-plugin';

import { ViewRecorder } from '../../audit/view-recorder.js';
import type { ActorContext } from '../../domain/context.js';
import { HotCounter } from '../external/metrics.js';
import { asArray } from '../route-hooks.js';

const DASHBOARD_PREFIX = '/financial/dashboard';

/**
 * Audits dashboard views without slowing them down: each successful dashboard response is
 * counted (findash_dashboard_views_total) and recorded after it is sent; the recorder groups
 * views per viewer and endpoint and writes them every AUDIT_VIEW_FLUSH_MS or as soon as
 * AUDIT_VIEW_BATCH_SIZE viewer groups are buffered, and once more on shutdown, before the
 * database pool closes (app/audit/view-recorder.ts).
 */
export default fp(
  async (fastify) => {
    const { config, metrics } = fastify;
    const recorder = new ViewRecorder(fastify.db, {
      flushIntervalMs: config.AUDIT_VIEW_FLUSH_MS,
      batchSize: config.AUDIT_VIEW_BATCH_SIZE,
      onFlushed: () => fastify.outboxPublisher?.nudge(),
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

    // Only dashboard routes get the hook (route-level), with what it records worked out once.
    fastify.addHook('onRoute', (route) => {
      if (!route.url.startsWith(DASHBOARD_PREFIX)) return;
      const url = route.url;
      const part = url.slice(DASHBOARD_PREFIX.length).replace(/^\//, '') || 'dashboard';
      const hook: onSendHookHandler = (request, reply, payload, done) => {
        const actor = request.actor as ActorContext | null;
        const principal = request.principal;
        if (reply.statusCode === 200 && actor && principal) {
          views.inc(actor.tenantType);
          recorder.record(actor, principal.subject, part, url, request.id);
        }
        done(null, payload);
      };
      route.onSend = [...asArray(route.onSend), hook];
    });
    fastify.addHook('onReady', async () => recorder.start());
    fastify.addHook('onClose', async () => {
      await recorder.stop();
      if (recorder.pending > 0) {
        fastify.log.error({ lost: recorder.pending }, 'dashboard views could not be audited before shutdown');
      }
    });
  },
  { name: 'audit-views', dependencies: ['db', 'metrics', 'db-metrics', 'outbox', 'config'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    viewRecorder: ViewRecorder;
  }
}
