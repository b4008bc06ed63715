import type { Knex } from 'knex';

import type { ActorContext } from '../domain/context.js';
import { CURSOR_INSTANT_SQL, cursorTimestampSql, decodeCursor, pageOf } from '../domain/ledger/cursor.js';
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

export interface AuditPage {
  readonly data: AuditEventView[];
  readonly next_cursor: string | null;
}

interface AuditRow extends Omit<AuditEventView, 'occurred_at'> {
  occurred_at: Date;
  cursor_at: string;
}

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
  const limit = filter.limit ?? DEFAULT_AUDIT_PAGE;
  const before = decodeCursor('audit', filter.cursor);
  const range = parseTimeRange(filter);
  await checkRangeOrder(trx, range);
  const query = trx('audit_events')
    .select(
      'id',
      'occurred_at',
      'actor',
      'action',
      'resource_type',
      'resource_id',
      'request_id',
      'details',
      trx.raw(`${cursorTimestampSql('occurred_at')} as cursor_at`),
    )
    .where('tenant_id', ctx.tenantId)
    .orderBy([
      { column: 'occurred_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit + 1);
  if (filter.action !== undefined) void query.where('action', filter.action);
  if (filter.resource_type !== undefined) void query.where('resource_type', filter.resource_type);
  if (filter.actor !== undefined) void query.where('actor', filter.actor);
  for (const condition of rangeConditions('occurred_at', range)) {
    void query.whereRaw(condition.sql, condition.bindings);
  }
  if (before)
    void query.whereRaw(`(occurred_at, id) < (${CURSOR_INSTANT_SQL}, ?::uuid)`, [before.at, before.id]);
  const page = pageOf('audit', (await query) as AuditRow[], limit);
  return {
    data: page.rows.map((row) => ({
      id: row.id,
      occurred_at: row.occurred_at.toISOString(),
      actor: row.actor,
      action: row.action,
      resource_type: row.resource_type,
      resource_id: row.resource_id,
      request_id: row.request_id,
      details: row.details,
    })),
    next_cursor: page.nextCursor,
  };
}
