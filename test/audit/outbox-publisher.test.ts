import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import type { FastifyInstance } from 'fastify';

import { AUDIT_EXCHANGE } from '../../app/audit/outbox-publisher.js';
import { asPlatform } from '../../app/db/tenant-scope.js';
import { startTestApp, type TestApp, type TestTenant } from '../harness/app.js';
import { startRabbitMQ, type RabbitMQServer } from '../harness/rabbitmq.js';
import {
  addIncome,
  createAccount,
  get,
  outboxCount,
  pool,
  sample,
  scrape,
  startReplica,
  waitFor,
} from '../helpers/instances.js';

interface Received {
  readonly id: string;
  readonly routingKey: string;
  readonly persistent: boolean;
  readonly body: Record<string, unknown>;
}

/**
 * A consumer on its own durable queue bound to every audit routing key, as a downstream system
 * would run one; it reconnects after a broker restart. Messages are kept by messageId (dedupe),
 * and every delivery is counted so duplicates are visible.
 */
class AuditConsumer {
  readonly byId = new Map<string, Received>();
  deliveries = 0;
  private connection: ChannelModel | null = null;

  constructor(
    private readonly url: string,
    private readonly queue: string,
  ) {}

  async start(): Promise<void> {
    const connection = await amqp.connect(this.url);
    connection.on('error', () => undefined);
    const channel: Channel = await connection.createChannel();
    await channel.assertExchange(AUDIT_EXCHANGE, 'topic', { durable: true });
    await channel.assertQueue(this.queue, { durable: true });
    await channel.bindQueue(this.queue, AUDIT_EXCHANGE, 'audit.#');
    await channel.consume(this.queue, (message: ConsumeMessage | null) => {
      if (!message) return;
      this.deliveries += 1;
      this.byId.set(String(message.properties.messageId), {
        id: String(message.properties.messageId),
        routingKey: message.fields.routingKey,
        persistent: message.properties.deliveryMode === 2,
        body: JSON.parse(message.content.toString('utf8')) as Record<string, unknown>,
      });
      channel.ack(message);
    });
    this.connection = connection;
  }

  async stop(): Promise<void> {
    await this.connection?.close().catch(() => undefined);
    this.connection = null;
  }
}

describe('audit outbox to RabbitMQ', () => {
  let rabbit: RabbitMQServer;
  let t: TestApp;
  let tenant: TestTenant;
  let consumer: AuditConsumer;
  const env = () => ({
    AMQP_URL: rabbit.url,
    AUDIT_OUTBOX_POLL_MS: '100',
    AUDIT_VIEW_FLUSH_MS: '200',
    RATE_LIMIT_DEFAULT_RPM: '0',
  });

  beforeAll(async () => {
    rabbit = await startRabbitMQ();
    console.log(`RabbitMQ node ${rabbit.nodeName} accepted connections after ${rabbit.startupMs} ms`);
    consumer = new AuditConsumer(rabbit.url, 'findash-test-audit');
    await consumer.start();
    t = await startTestApp(env());
    tenant = await t.createTenant({ type: 'organization' });
  }, 240_000);

  afterAll(async () => {
    await consumer.stop();
    await t.close();
    await rabbit.close();
  }, 120_000);

  it('publishes each write’s audit event as a persistent message with its id, then empties the outbox', async () => {
    const account = await createAccount(t.app, tenant.tokens.admin, 'Operating');
    const income = await addIncome(t.app, tenant.tokens.admin, account, '12.50');
    expect(income.statusCode).toBe(201);
    const events = await asPlatform(t.owner, (trx) =>
      trx('audit_events')
        .where({ tenant_id: tenant.id })
        .orderBy('occurred_at')
        .select('id', 'action', 'resource_id', 'actor'),
    );
    expect(events.map((e: { action: string }) => e.action)).toEqual(['account.create', 'transaction.create']);
    const messages = await waitFor('both messages', async () => {
      const found = events.map((e: { id: string }) => consumer.byId.get(e.id));
      return found.every(Boolean) ? (found as Received[]) : null;
    });
    expect(messages.map((m) => m.routingKey)).toEqual([
      'audit.organization.account.create',
      'audit.organization.transaction.create',
    ]);
    for (const [i, message] of messages.entries()) {
      expect(message.persistent).toBe(true);
      expect(message.body).toMatchObject({
        id: events[i].id,
        tenant_id: tenant.id,
        tenant: tenant.name,
        tenant_type: 'organization',
        action: events[i].action,
        actor: 'token:admin-client',
      });
    }
    await waitFor('an empty outbox', async () => (await outboxCount(t)) === 0);
    const text = await scrape(t.app);
    expect(sample(text, 'findash_outbox_published_total')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'findash_outbox_depth')).toBe(0);
    expect(sample(text, 'findash_audit_events_total', { action: 'transaction.create' })).toBe(1);
    expect((await t.app.inject({ url: '/health' })).json()).toMatchObject({
      checks: { rabbitmq: { status: 'up' } },
    });
  });

  it('audits dashboard views in batches off the request path: per viewer and endpoint, with every request id', async () => {
    const viewer = await t.createTenant({ type: 'user' });
    const responses = await pool(12, 4, () =>
      get(t.app, '/financial/dashboard/summary', viewer.tokens.viewer),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
    const requestIds = responses.map((r) => String(r.headers['x-request-id']));
    type ViewRow = {
      id: string;
      request_id: string;
      resource_id: string;
      actor: string;
      details: { count: number; request_ids: string[]; route: string };
    };
    const rows = await waitFor('the view events', async () => {
      const found: ViewRow[] = await asPlatform(t.owner, (trx) =>
        trx('audit_events')
          .where({ tenant_id: viewer.id, action: 'dashboard.view' })
          .select('id', 'request_id', 'resource_id', 'actor', 'details'),
      );
      return found.reduce((n, row) => n + row.details.count, 0) === 12 ? found : null;
    });
    // A few rows (one per flush window), not one per request.
    expect(rows.length).toBeLessThanOrEqual(3);
    expect(rows.flatMap((r) => r.details.request_ids).sort()).toEqual([...requestIds].sort());
    for (const row of rows) {
      expect(row).toMatchObject({
        resource_id: 'summary',
        actor: 'token:viewer-client',
        details: { route: '/financial/dashboard/summary' },
      });
      expect(row.details.request_ids).toContain(row.request_id);
    }
    await waitFor('the view messages', async () => rows.every((r) => consumer.byId.has(r.id)));
    expect(consumer.byId.get(rows[0]?.id ?? '')?.routingKey).toBe('audit.user.dashboard.view');
    expect(sample(await scrape(t.app), 'findash_dashboard_views_total', { tenant_type: 'user' })).toBe(12);
  });

  it('publishes from several replicas at once without duplicates', async () => {
    const replicas: FastifyInstance[] = [await startReplica(t, env()), await startReplica(t, env())];
    try {
      const deliveriesBefore = consumer.deliveries;
      const seenBefore = consumer.byId.size;
      const account = await createAccount(t.app, tenant.tokens.admin, 'Replicated');
      const statuses = await pool(
        300,
        10,
        async (i) =>
          (await addIncome(replicas[i % 2] as FastifyInstance, tenant.tokens.admin, account, '1.00'))
            .statusCode,
      );
      expect(statuses.filter((s) => s !== 201)).toEqual([]);
      await waitFor(
        'every event published',
        async () => consumer.byId.size - seenBefore === 301 && (await outboxCount(t)) === 0,
      );
      // Claims never overlapped, so nothing was delivered twice.
      expect(consumer.deliveries - deliveriesBefore).toBe(301);
      const published = await Promise.all(
        [t.app, ...replicas].map(async (app) => sample(await scrape(app), 'findash_outbox_published_total')),
      );
      expect(published.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    } finally {
      for (const replica of replicas) await replica.close();
    }
  });

  it('keeps every event while RabbitMQ is down and delivers all 1,000 after it returns', async () => {
    const account = await createAccount(t.app, tenant.tokens.admin, 'Outage');
    await waitFor('an empty outbox', async () => (await outboxCount(t)) === 0);
    await consumer.stop();
    await rabbit.stop();
    await waitFor(
      'the publisher to notice',
      async () =>
        (await t.app.inject({ url: '/health' })).json<{ checks: { rabbitmq: { status: string } } }>().checks
          .rabbitmq.status === 'degraded',
    );
    const health = await t.app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'degraded', checks: { database: { status: 'up' } } });

    const written = await pool(1000, 10, async () => {
      const res = await addIncome(t.app, tenant.tokens.admin, account, '0.01');
      expect(res.statusCode).toBe(201);
      return res.json<{ id: string }>().id;
    });
    expect(new Set(written).size).toBe(1000);
    expect(await outboxCount(t)).toBe(1000);
    const text = await scrape(t.app);
    expect(sample(text, 'findash_outbox_depth')).toBe(1000);
    expect(sample(text, 'findash_outbox_publish_failures_total')).toBeGreaterThan(0);

    await rabbit.restart();
    await consumer.start();
    const ids = await asPlatform(t.owner, (trx) =>
      trx('audit_events')
        .whereIn('resource_id', written)
        .andWhere({ action: 'transaction.create' })
        .pluck('id'),
    );
    expect(ids).toHaveLength(1000);
    await waitFor(
      'all 1,000 audit messages',
      async () => ids.every((id: string) => consumer.byId.has(id)),
      90_000,
      250,
    );
    await waitFor('an empty outbox', async () => (await outboxCount(t)) === 0);
    expect((await t.app.inject({ url: '/health' })).json()).toMatchObject({ status: 'healthy' });
  }, 180_000);
});
