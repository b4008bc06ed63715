import { setTimeout as sleep } from 'node:timers/promises';

import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';

/**
 * What an audit consumer downstream of findash sees: a durable queue bound to the
 * `findash.audit` topic exchange (routing keys audit.<tenant_type>.<action>), consumed with
 * acknowledgements. It survives a broker restart the way a real consumer does: the queue is
 * durable, and the tap reconnects until the broker is back. Messages are keyed by messageId
 * (the audit event id), so redeliveries show up as duplicates, not as extra events.
 */
export const AUDIT_EXCHANGE = 'findash.audit';

export interface AuditMessage {
  readonly messageId: string;
  readonly routingKey: string;
  readonly body: Record<string, unknown>;
}

export class AuditTap {
  readonly messages = new Map<string, AuditMessage>();
  duplicates = 0;
  reconnects = 0;
  private connection: ChannelModel | undefined;
  private closed = false;
  private readonly queue = `e2e-audit-${process.pid}`;

  constructor(private readonly url: string) {}

  /** Connects, waits for the exchange (the API instances declare it) and binds the queue. */
  async start(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        await this.connect();
        return;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
        await this.drop();
        await sleep(300);
      }
    }
    throw new Error(`could not bind a queue to exchange ${AUDIT_EXCHANGE} within ${timeoutMs} ms: ${last}`);
  }

  private async connect(): Promise<void> {
    const connection = await amqp.connect(this.url);
    this.connection = connection;
    connection.on('error', () => undefined);
    let established = false;
    connection.on('close', () => {
      if (this.connection !== connection) return;
      this.connection = undefined;
      // Only a working consumer reconnects by itself; a failed setup is retried by its caller.
      if (established && !this.closed) void this.reconnect();
    });
    // Passive check: the exchange is the publisher's to declare, with its own arguments.
    const probe = await connection.createChannel();
    probe.on('error', () => undefined);
    await probe.checkExchange(AUDIT_EXCHANGE);
    await probe.close().catch(() => undefined);
    const channel: Channel = await connection.createChannel();
    channel.on('error', () => undefined);
    await channel.assertQueue(this.queue, { durable: true, autoDelete: false });
    await channel.bindQueue(this.queue, AUDIT_EXCHANGE, 'audit.#');
    await channel.prefetch(100);
    await channel.consume(this.queue, (msg: ConsumeMessage | null) => {
      if (!msg) return;
      const id = msg.properties.messageId as string | undefined;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(msg.content.toString('utf8')) as Record<string, unknown>;
      } catch {
        // kept with an empty body: the id and routing key still count
      }
      const key = id ?? `no-message-id:${msg.fields.deliveryTag}`;
      if (this.messages.has(key)) this.duplicates += 1;
      else this.messages.set(key, { messageId: key, routingKey: msg.fields.routingKey, body });
      channel.ack(msg);
    });
    established = true;
  }

  private async reconnect(): Promise<void> {
    this.reconnects += 1;
    while (!this.closed && !this.connection) {
      try {
        await this.connect();
      } catch {
        await this.drop();
        await sleep(300);
      }
    }
  }

  /** Closes a half-set-up connection (the close handler must not start another reconnect loop). */
  private async drop(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close().catch(() => undefined);
  }

  /** Waits until every id in `ids` has arrived; returns the ones still missing at the deadline. */
  async waitFor(ids: readonly string[], timeoutMs: number): Promise<{ missing: string[]; ms: number }> {
    const started = Date.now();
    for (;;) {
      const missing = ids.filter((id) => !this.messages.has(id));
      if (missing.length === 0 || Date.now() - started > timeoutMs)
        return { missing, ms: Date.now() - started };
      await sleep(100);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    try {
      const channel = await connection.createChannel();
      await channel.deleteQueue(this.queue);
    } catch {
      // the broker may be gone already
    }
    await connection.close().catch(() => undefined);
  }
}
