import type { Knex } from 'knex';

import type { ActorContext } from '../domain/context.js';
import { keysetPage, type Page } from '../domain/paging/keyset.js';
import { checkRangeOrder, parseTimeRange, rangeConditions } from '../domain/time-range.js';

export interface AuditFilter {
  readonly action?: string;
  readonly resource_type?: string;
  readonly actor?: string;
  /** Start of the occurred_at range: a tenant-local day or a date-time with offset (see time-range.ts). */
  readonly from?: string;
  /** End of the range: a day (included) or a date-time (excluded). */
  readonly to?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface AuditEventView {
  readonly id: string;
  readonly occurred_at: string;
  readonly actor: string;
  readonly action: string;
  readonly resource_type: string;
  readonly resource_id: string | null;
  readonly request_id: string | null;
  readonly details: Record<string, unknown>;
}

export type AuditPage = Page<AuditEventView>;

interface AuditRow extends Omit<AuditEventView, 'occurred_at'> {
  occurred_at: Date;
}

const AUDIT_COLUMNS = [
  'id',
  'occurred_at',
  'actor',
  'action',
  'resource_type',
  'resource_id',
  'request_id',
  'details',
] as const;

export const DEFAULT_AUDIT_PAGE = 50;
export const MAX_AUDIT_PAGE = 500;

/**
 * The tenant's audit log, newest first, filtered and keyset-paginated (stable under concurrent
 * appends: a page never repeats or skips an event). Runs in the caller's tenant-scoped
 * transaction; row-level security limits it to that tenant whatever the filter.
 */
export async function listAuditEvents(
  trx: Knex.Transaction,
  ctx: ActorContext,
  filter: AuditFilter,
): Promise<AuditPage> {
  return keysetPage<AuditRow, AuditEventView>(
    trx,
    ctx.tenantId,
    { kind: 'audit', table: 'audit_events', column: 'occurred_at', order: 'desc', columns: AUDIT_COLUMNS },
    { limit: filter.limit ?? DEFAULT_AUDIT_PAGE, cursor: filter.cursor },
    async (query) => {
      const range = parseTimeRange(filter);
      await checkRangeOrder(trx, range);
      if (filter.action !== undefined) void query.where('action', filter.action);
      if (filter.resource_type !== undefined) void query.where('resource_type', filter.resource_type);
      if (filter.actor !== undefined) void query.where('actor', filter.actor);
      for (const condition of rangeConditions('occurred_at', range)) {
        void query.whereRaw(condition.sql, condition.bindings);
      }
    },
    (row) => ({
      id: row.id,
      occurred_at: row.occurred_at.toISOString(),
      actor: row.actor,
      action: row.action,
      resource_type: row.resource_type,
      resource_id: row.resource_id,
      request_id: row.request_id,
      details: row.details,
    }),
  );
}
