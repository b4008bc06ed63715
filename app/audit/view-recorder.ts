import type { Knex } from 'knex';

import { withTenant } from '../db/tenant-scope.js';
import type { ActorContext } from '../domain/context.js';
import { appendAuditBatch, type AuditRecord } from './audit-batch.js';

export interface ViewRecorderOptions {
  readonly flushIntervalMs: number;
  /** Flush as soon as this many views are buffered. */
  readonly batchSize: number;
  /** Views kept while PostgreSQL is unreachable; beyond it the oldest are dropped (and logged). */
  readonly maxBuffered?: number;
  readonly onFlushed?: (count: number) => void;
  readonly onError?: (error: unknown, pending: number) => void;
  readonly onDropped?: (count: number) => void;
}

/**
 * Dashboard views are audited off the request path: a view is buffered in memory and written
 * later, every flushIntervalMs or batchSize views, and on shutdown (stop). A flush writes, per
 * tenant, one transaction with app.tenant_id set, holding the audit_events rows and their outbox
 * messages. If PostgreSQL is down the views stay buffered (up to maxBuffered) and are retried.
 *
 * Views are at-most-once by design: a crash loses the views of the last interval, which the
 * write audit (same transaction as the write) never does.
 */
export class ViewRecorder {
  private buffer: AuditRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly maxBuffered: number;

  constructor(
    private readonly knex: Knex,
    private readonly options: ViewRecorderOptions,
  ) {
    this.maxBuffered = options.maxBuffered ?? 100_000;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  record(ctx: ActorContext, resourceId: string, details: Record<string, unknown>): void {
    this.buffer.push({
      ctx,
      entry: { action: 'dashboard.view', resourceType: 'dashboard', resourceId, details },
      occurredAt: new Date().toISOString(),
    });
    if (this.buffer.length >= this.options.batchSize) void this.flush();
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Writes what is buffered; concurrent calls share one flush. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.buffer.length === 0) return Promise.resolve();
    this.flushing = this.write().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Final flush (shutdown): waits for a running flush, then writes the rest. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flushing;
    await this.flush();
  }

  private async write(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    const byTenant = new Map<string, AuditRecord[]>();
    for (const record of batch) {
      const list = byTenant.get(record.ctx.tenantId) ?? [];
      list.push(record);
      byTenant.set(record.ctx.tenantId, list);
    }
    for (const [tenantId, records] of byTenant) {
      try {
        await withTenant(this.knex, tenantId, (trx) => appendAuditBatch(trx, records));
        this.options.onFlushed?.(records.length);
      } catch (error) {
        this.requeue(records);
        this.options.onError?.(error, this.buffer.length);
      }
    }
  }

  private requeue(records: AuditRecord[]): void {
    this.buffer = records.concat(this.buffer);
    const excess = this.buffer.length - this.maxBuffered;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.options.onDropped?.(excess);
    }
  }
}
