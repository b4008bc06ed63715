import { randomUUID } from 'node:crypto';

import type { Knex } from 'knex';

import type { ActorContext } from '../domain/context.js';
import { announceOnCommit } from './committed-actions.js';

export interface AuditEntry {
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId?: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** One audit event with its own actor, request and time (a batch may mix several requests). */
export interface AuditRecord {
  readonly ctx: ActorContext;
  readonly entry: AuditEntry;
  readonly occurredAt: string;
}

const CHUNK = 500;

/**
 * Appends audit events and their outbox rows inside the caller's transaction, so a write and
 * its audit record commit or roll back together. The outbox row carries the message exactly
 * as it will be published (routing key audit.<tenant_type>.<action>, event id for dedupe).
 * Many events go in a few multi-row inserts. Once the transaction commits, the pool's listeners
 * hear the actions written (findash_audit_events_total, app/plugins/app/audit.ts).
 */
export async function appendAuditRecords(
  trx: Knex.Transaction,
  records: readonly AuditRecord[],
): Promise<void> {
  for (let start = 0; start < records.length; start += CHUNK) {
    const chunk = records.slice(start, start + CHUNK);
    const events = chunk.map(({ ctx, entry, occurredAt }) => ({
      id: randomUUID(),
      tenant_id: ctx.tenantId,
      actor: ctx.actor,
      action: entry.action,
      resource_type: entry.resourceType,
      resource_id: entry.resourceId ?? null,
      request_id: ctx.requestId ?? null,
      details: JSON.stringify(entry.details ?? {}),
      occurred_at: occurredAt,
    }));
    await trx('audit_events').insert(events);
    await trx('audit_outbox').insert(
      events.map((row, i) => {
        const { ctx, entry } = chunk[i] as AuditRecord;
        return {
          event_id: row.id,
          tenant_id: row.tenant_id,
          routing_key: `audit.${ctx.tenantType}.${row.action}`,
          payload: JSON.stringify({
            id: row.id,
            tenant_id: row.tenant_id,
            tenant: ctx.tenantName,
            tenant_type: ctx.tenantType,
            actor: row.actor,
            action: row.action,
            resource_type: row.resource_type,
            resource_id: row.resource_id,
            request_id: row.request_id,
            details: entry.details ?? {},
            occurred_at: row.occurred_at,
          }),
        };
      }),
    );
  }
  announceOnCommit(
    trx,
    records.map(({ entry }) => entry.action),
  );
}

/** The common case: entries of one actor's request, now. */
export async function appendAudit(
  trx: Knex.Transaction,
  ctx: ActorContext,
  entries: readonly AuditEntry[],
): Promise<void> {
  const occurredAt = new Date().toISOString();
  await appendAuditRecords(
    trx,
    entries.map((entry) => ({ ctx, entry, occurredAt })),
  );
}
