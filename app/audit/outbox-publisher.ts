import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Knex } from 'knex';

import { asPlatform } from '../db/tenant-scope.js';

/** The durable topic exchange audit events are published to. */
export const AUDIT_EXCHANGE = 'findash.audit';

export interface OutboxPublisherOptions {
  readonly url: string;
  /** Wait between polls when the outbox is empty. */
  readonly pollMs: number;
  readonly batchSize?: number;
  /** Longest wait for the broker's confirms of one batch. */
  readonly confirmTimeoutMs?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly onPublished?: (count: number) => void;
  readonly onFailure?: (error: Error) => void;
  readonly onConnectionChange?: (connected: boolean, error?: Error) => void;
}

interface OutboxRow {
  id: number;
  event_id: string;
  routing_key: string;
  payload: Record<string, unknown>;
}

class ConfirmTimeoutError extends Error {
  constructor(ms: number) {
    super(`RabbitMQ did not confirm the batch within ${ms} ms`);
    this.name = 'ConfirmTimeoutError';
  }
}

/**
 * Drains audit_outbox to RabbitMQ. Each round claims a batch with FOR UPDATE SKIP LOCKED in a
 * platform-scoped transaction (so replicas claim disjoint rows and publish concurrently without
 * duplicates), publishes every row as a persistent message with messageId = event id on a
 * confirm channel, waits for the broker's confirms, and only then deletes the rows and commits.
 * Any failure rolls the claim back: the rows stay and are published again later, so delivery is
 * at-least-once and consumers dedupe by messageId. A lost connection is re-established with
 * exponential backoff; meanwhile events simply wait in the outbox.
 */
export class OutboxPublisher {
  private connection: ChannelModel | null = null;
  private channel: ConfirmChannel | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private delayMs: number;
  private readonly batchSize: number;
  private readonly confirmTimeoutMs: number;
  private readonly backoff: { readonly initialMs: number; readonly maxMs: number };

  constructor(
    private readonly knex: Knex,
    private readonly options: OutboxPublisherOptions,
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 10_000;
    this.backoff = options.backoff ?? { initialMs: 200, maxMs: 10_000 };
    this.delayMs = this.backoff.initialMs;
  }

  get connected(): boolean {
    return this.channel !== null;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Asks for a round now instead of at the next poll (e.g. right after events were written). */
  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.disconnect();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (!this.channel) await this.connect();
        const published = await this.publishBatch();
        this.delayMs = this.backoff.initialMs;
        if (published < this.batchSize) await this.sleep(this.options.pollMs);
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.options.onFailure?.(failure);
        if (!this.channel || failure instanceof ConfirmTimeoutError) await this.disconnect(failure);
        await this.sleep(this.delayMs);
        this.delayMs = Math.min(this.delayMs * 2, this.backoff.maxMs);
      }
    }
  }

  private async connect(): Promise<void> {
    const connection = await amqp.connect(this.options.url, { timeout: 5000 });
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertExchange(AUDIT_EXCHANGE, 'topic', { durable: true });
      const lost = (error?: Error): void => {
        if (this.connection !== connection) return;
        this.channel = null;
        this.connection = null;
        this.options.onConnectionChange?.(false, error);
        connection.close().catch(() => undefined);
      };
      connection.on('error', (error: Error) => lost(error));
      connection.on('close', () => lost(new Error('connection closed')));
      channel.on('error', (error: Error) => lost(error));
      channel.on('close', () => lost(new Error('channel closed')));
      this.connection = connection;
      this.channel = channel;
      this.options.onConnectionChange?.(true);
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  private async disconnect(error?: Error): Promise<void> {
    const connection = this.connection;
    const wasConnected = this.channel !== null;
    this.channel = null;
    this.connection = null;
    if (wasConnected) this.options.onConnectionChange?.(false, error);
    await connection?.close().catch(() => undefined);
  }

  /** One claim–publish–confirm–delete round; returns how many events were published. */
  private async publishBatch(): Promise<number> {
    const channel = this.channel;
    if (!channel) return 0;
    let claimed: number[] = [];
    try {
      return await this.publishClaimed(channel, (ids) => {
        claimed = ids;
      });
    } catch (error) {
      if (claimed.length > 0) await this.noteAttempt(claimed, error);
      throw error;
    }
  }

  /** Records the failed attempt on the rows (for operators reading the outbox); best effort. */
  private async noteAttempt(ids: number[], error: unknown): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    await asPlatform(this.knex, (trx) =>
      trx('audit_outbox')
        .whereIn('id', ids)
        .update({ attempts: trx.raw('attempts + 1'), last_error: message }),
    ).catch(() => undefined);
  }

  private async publishClaimed(channel: ConfirmChannel, claim: (ids: number[]) => void): Promise<number> {
    const count = await asPlatform(this.knex, async (trx) => {
      const rows = (await trx('audit_outbox')
        .select('id', 'event_id', 'routing_key', 'payload')
        .orderBy('id')
        .limit(this.batchSize)
        .forUpdate()
        .skipLocked()) as OutboxRow[];
      if (rows.length === 0) return 0;
      claim(rows.map((row) => row.id));
      for (const row of rows) {
        channel.publish(AUDIT_EXCHANGE, row.routing_key, Buffer.from(JSON.stringify(row.payload)), {
          persistent: true,
          messageId: row.event_id,
          contentType: 'application/json',
          type: typeof row.payload.action === 'string' ? row.payload.action : undefined,
          timestamp: Math.floor(Date.now() / 1000),
          appId: 'findash-api',
        });
      }
      await this.confirmed(channel);
      await trx('audit_outbox')
        .whereIn(
          'id',
          rows.map((row) => row.id),
        )
        .delete();
      return rows.length;
    });
    if (count > 0) this.options.onPublished?.(count);
    return count;
  }

  private confirmed(channel: ConfirmChannel): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConfirmTimeoutError(this.confirmTimeoutMs)), this.confirmTimeoutMs);
    });
    const confirms = channel.waitForConfirms();
    confirms.catch(() => undefined);
    return Promise.race([confirms, timeout]).finally(() => clearTimeout(timer));
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}
