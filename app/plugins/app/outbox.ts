import fp from 'fastify-plugin';

import { OutboxPublisher } from '../../audit/outbox-publisher.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The outbox publisher, or null without AMQP_URL (events then wait in the outbox). */
    outboxPublisher: OutboxPublisher | null;
  }
}

/**
 * Runs the audit outbox publisher when AMQP_URL is set. Every replica runs one; their claims
 * never overlap (SKIP LOCKED). RabbitMQ being down is `degraded` in /health, never `down`:
 * writes go on and their events wait in the outbox until the broker is back.
 */
export default fp(
  async (fastify) => {
    const { config, metrics } = fastify;
    const url = config.AMQP_URL;
    if (!url) {
      fastify.decorate('outboxPublisher', null);
      fastify.log.info('AMQP_URL is not set: audit events stay in the outbox until a broker is configured');
      return;
    }
    let lastError = '';
    const publisher = new OutboxPublisher(fastify.db, {
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
    fastify.decorate('outboxPublisher', publisher);
    fastify.addHealthCheck({
      name: 'rabbitmq',
      critical: false,
      run: async () =>
        publisher.connected
          ? { status: 'up' }
          : {
              status: 'degraded',
              detail: `not connected${lastError ? ` (${lastError})` : ''}; audit events wait in the outbox`,
            },
    });
    fastify.addHook('onReady', async () => publisher.start());
    fastify.addHook('onClose', async () => publisher.stop());
  },
  { name: 'outbox', dependencies: ['db', 'metrics', 'health', 'config'] },
);
