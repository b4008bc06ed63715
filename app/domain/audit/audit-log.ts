import { randomUUID } from 'node:crypto';

import type { Knex } from 'knex';

import type { ActorContext } from '../context.js';

export interface AuditEntry {
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId?: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Appends audit events and their outbox rows inside the caller's transaction, so a write and
 * its audit record commit or roll back together. The outbox row carries the message exactly
 * as it will be published (routing key audit.<tenant_type>.<action>, event id for dedupe).
 */
export async function appendAudit(
  trx: Knex.Transaction,
  ctx: ActorContext,
  entries: readonly AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const now = new Date().toISOString();
  const rows = entries.map((entry) => ({
    id: randomUUID(),
    tenant_id: ctx.tenantId,
    actor: ctx.actor,
    action: entry.action,
    resource_type: entry.resourceType,
    resource_id: entry.resourceId ?? null,
    request_id: ctx.requestId ?? null,
    details: JSON.stringify(entry.details ?? {}),
    occurred_at: now,
  }));
  await trx('audit_events').insert(rows);
  await trx('audit_outbox').insert(
    rows.map((row, i) => ({
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
        details: entries[i]?.details ?? {},
        occurred_at: row.occurred_at,
      }),
    })),
  );
}
