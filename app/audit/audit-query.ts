import type { Knex } from 'knex';

import type { ActorContext } from '../domain/context.js';
import { ValidationError } from '../domain/errors.js';
import { checkTimestamp } from '../domain/ledger/validate.js';

export interface AuditFilter {
  readonly action?: string;
  readonly resource_type?: string;
  readonly actor?: string;
  /** Inclusive lower bound on occurred_at (ISO 8601 date-time with offset, as the ledger lists take). */
  readonly from?: string;
  /** Exclusive upper bound on occurred_at (ISO 8601). */
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PG_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * Keyset cursor: base64url of {k:'audit', t, i} with the timestamp at PostgreSQL's microsecond
 * precision, the same shape as the ledger lists' cursors.
 */
function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify({ k: 'audit', t: at, i: id })).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { at: string; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const invalid = new ValidationError('cursor', 'is not a cursor from the audit list');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const { k, t, i } = (parsed ?? {}) as Record<string, unknown>;
  if (k !== 'audit' || typeof t !== 'string' || typeof i !== 'string' || !PG_UTC.test(t) || !UUID.test(i)) {
    throw invalid;
  }
  return { at: t, id: i };
}

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
  const before = decodeCursor(filter.cursor);
  const from = filter.from === undefined ? undefined : checkTimestamp('from', filter.from, Infinity);
  const to = filter.to === undefined ? undefined : checkTimestamp('to', filter.to, Infinity);
  if (from !== undefined && to !== undefined && Date.parse(from) > Date.parse(to)) {
    throw new ValidationError('to', 'must not be before from');
  }
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
      trx.raw(`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at`),
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
  if (from !== undefined) void query.where('occurred_at', '>=', from);
  if (to !== undefined) void query.where('occurred_at', '<', to);
  if (before) void query.whereRaw('(occurred_at, id) < (?::timestamptz, ?::uuid)', [before.at, before.id]);
  const rows = (await query) as AuditRow[];
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map((row) => ({
      id: row.id,
      occurred_at: row.occurred_at.toISOString(),
      actor: row.actor,
      action: row.action,
      resource_type: row.resource_type,
      resource_id: row.resource_id,
      request_id: row.request_id,
      details: row.details,
    })),
    next_cursor: rows.length > limit && last ? encodeCursor(last.cursor_at, last.id) : null,
  };
}
