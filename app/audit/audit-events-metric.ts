import type { Knex } from 'knex';
import type { Counter } from 'prom-client';

import { onAuditCommitted } from './committed-actions.js';

/** Actions beyond this many distinct ones are counted as `other`: a label set stays bounded. */
const MAX_ACTIONS = 100;
const ACTION = /^[a-z0-9_.-]{1,64}$/;

/**
 * Counts findash_audit_events_total{action} as the audit events of `db`'s transactions commit
 * (told by the audit writer itself, app/audit/audit-log.ts). Returns the function that stops it.
 */
export function countAuditEvents(db: Knex, counter: Counter<'action'>): () => void {
  const seen = new Set<string>();
  return onAuditCommitted(db, (actions) => {
    for (const action of actions) {
      if (!ACTION.test(action)) continue;
      if (!seen.has(action) && seen.size < MAX_ACTIONS) seen.add(action);
      counter.inc({ action: seen.has(action) ? action : 'other' });
    }
  });
}
