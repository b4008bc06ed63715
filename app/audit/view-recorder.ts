import type { Knex } from 'knex';

import { withTenant } from '../db/tenant-scope.js';
import type { ActorContext } from '../domain/context.js';
import { appendAuditRecords, type AuditRecord } from './audit-log.js';

export interface ViewRecorderOptions {
  readonly flushIntervalMs: number;
  /**
   * Flush as soon as this many viewer groups (tenant, viewer, endpoint) are buffered: groups are
   * what a flush writes and what the buffer holds, so a busy viewer does not cause flushes.
   */
  readonly batchSize: number;
  /** Viewer groups kept while PostgreSQL is unreachable; beyond it the oldest are dropped (and logged). */
  readonly maxGroups?: number;
  readonly onFlushed?: (events: number) => void;
  readonly onError?: (error: unknown, pendingViews: number) => void;
  readonly onDropped?: (views: number) => void;
}

/** Request ids kept per viewer and window; the count is always exact. */
export const MAX_REQUEST_IDS = 100;

interface ViewGroup {
  readonly ctx: ActorContext;
  readonly resourceId: string;
  readonly route: string;
  count: number;
  /** Epoch ms; formatted once, when the group is written. */
  readonly firstAt: number;
  lastAt: number;
  readonly requestIds: string[];
}

/**
 * Dashboard views are audited off the request path. A view costs a map update: views are
 * grouped per tenant, viewer (actor) and endpoint, and written every flushIntervalMs, as soon
 * as batchSize groups are buffered, and on shutdown (stop). A flush writes, per tenant, one
 * transaction with app.tenant_id set, holding one `dashboard.view` audit event (and its outbox message) per
 * group: who viewed what, how many times, first and last time, and the request ids (up to
 * MAX_REQUEST_IDS). So the audit cost follows the number of viewers, not of requests: a cached
 * dashboard at thousands of requests per second writes a few rows per interval.
 *
 * If PostgreSQL is down the groups stay buffered (up to maxGroups) and are retried. Views are
 * at-most-once by design: a crash loses the last interval's views, which the write audit (same
 * transaction as the write) never does.
 */
export class ViewRecorder {
  /** viewer → endpoint → group. */
  private groups = new Map<string, Map<string, ViewGroup>>();
  private groupCount = 0;
  private views = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly maxGroups: number;

  constructor(
    private readonly knex: Knex,
    private readonly options: ViewRecorderOptions,
  ) {
    this.maxGroups = options.maxGroups ?? 50_000;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Views buffered and not yet written. */
  get pending(): number {
    return this.views;
  }

  /**
   * `viewer` identifies the viewer across tenants (the principal's `${tenantId}:${actor}`, one
   * string per principal): with the endpoint's `resourceId` it finds the group without building
   * a key per view.
   */
  record(ctx: ActorContext, viewer: string, resourceId: string, route: string, requestId: string): void {
    const now = Date.now();
    const byResource = this.groupsOf(viewer);
    const group = byResource.get(resourceId);
    if (group) {
      group.count += 1;
      group.lastAt = now;
      if (group.requestIds.length < MAX_REQUEST_IDS) group.requestIds.push(requestId);
    } else {
      byResource.set(resourceId, {
        ctx: { ...ctx, requestId },
        resourceId,
        route,
        count: 1,
        firstAt: now,
        lastAt: now,
        requestIds: [requestId],
      });
      this.groupCount += 1;
    }
    this.views += 1;
    if (!group && this.groupCount >= this.options.batchSize) void this.flush();
  }

  /** Writes what is buffered; concurrent calls share one flush. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.groupCount === 0) return Promise.resolve();
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
    const batch = this.groups;
    this.groups = new Map();
    this.groupCount = 0;
    this.views = 0;
    const byTenant = new Map<string, Array<[string, ViewGroup]>>();
    for (const [viewer, byResource] of batch) {
      for (const group of byResource.values()) {
        const tenantId = group.ctx.tenantId;
        const list = byTenant.get(tenantId) ?? [];
        list.push([viewer, group]);
        byTenant.set(tenantId, list);
      }
    }
    for (const [tenantId, entries] of byTenant) {
      try {
        await withTenant(this.knex, tenantId, (trx) =>
          appendAuditRecords(
            trx,
            entries.map(([, group]) => toRecord(group)),
          ),
        );
        this.options.onFlushed?.(entries.length);
      } catch (error) {
        this.requeue(entries);
        this.options.onError?.(error, this.views);
      }
    }
  }

  /** Puts groups back after a failed write, merged with views recorded since. */
  private requeue(entries: Array<[string, ViewGroup]>): void {
    const newer = this.groups;
    this.groups = new Map();
    this.groupCount = 0;
    this.views = 0;
    for (const [viewer, group] of entries) this.merge(viewer, group);
    for (const [viewer, byResource] of newer)
      for (const group of byResource.values()) this.merge(viewer, group);
    let dropped = 0;
    for (const [viewer, byResource] of this.groups) {
      if (this.groupCount <= this.maxGroups) break;
      this.groups.delete(viewer);
      for (const group of byResource.values()) {
        this.groupCount -= 1;
        this.views -= group.count;
        dropped += group.count;
      }
    }
    if (dropped > 0) this.options.onDropped?.(dropped);
  }

  /** The viewer's groups by endpoint, created empty on first use. */
  private groupsOf(viewer: string): Map<string, ViewGroup> {
    let byResource = this.groups.get(viewer);
    if (!byResource) {
      byResource = new Map();
      this.groups.set(viewer, byResource);
    }
    return byResource;
  }

  private merge(viewer: string, group: ViewGroup): void {
    const byResource = this.groupsOf(viewer);
    const older = byResource.get(group.resourceId);
    this.views += group.count;
    if (!older) {
      byResource.set(group.resourceId, group);
      this.groupCount += 1;
      return;
    }
    older.count += group.count;
    older.lastAt = group.lastAt;
    older.requestIds.push(
      ...group.requestIds.slice(0, Math.max(0, MAX_REQUEST_IDS - older.requestIds.length)),
    );
  }
}

function toRecord(group: ViewGroup): AuditRecord {
  return {
    ctx: group.ctx,
    occurredAt: new Date(group.firstAt).toISOString(),
    entry: {
      action: 'dashboard.view',
      resourceType: 'dashboard',
      resourceId: group.resourceId,
      details: {
        route: group.route,
        count: group.count,
        first_at: new Date(group.firstAt).toISOString(),
        last_at: new Date(group.lastAt).toISOString(),
        request_ids: group.requestIds,
      },
    },
  };
}
