import { randomUUID } from 'node:crypto';

import type { Knex } from 'knex';

import type { AuditEntry } from '../domain/audit/audit-log.js';
import type { ActorContext } from '../domain/context.js';

/** One audit event with its own actor and request (a batch mixes several requests). */
export interface AuditRecord {
  readonly ctx: ActorContext;
  readonly entry: AuditEntry;
  readonly occurredAt: string;
}

const CHUNK = 500;

/**
 * Appends many audit events of one tenant in a few multi-row inserts, each with the actor,
 * request id and time of its own request. The rows and the outbox messages have exactly the
 * shape appendAudit (app/domain/audit/audit-log.ts) writes, so consumers see one format.
 * Runs inside the caller's tenant-scoped transaction.
 */
export async function appendAuditBatch(
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
}
