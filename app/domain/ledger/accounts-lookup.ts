import type { Knex } from 'knex';

import { DomainError } from '../errors.js';
import { ReferenceNotFoundError } from './errors.js';

/**
 * Account row locks for ledger writes. The balance/rollup trigger updates every account a
 * statement touches, in whatever order its plan visits them; two writes touching accounts A and
 * B in opposite orders (transfers A→B and B→A, batches, voids of transfer legs) would deadlock.
 * So every write first locks its accounts here, in id order, FOR NO KEY UPDATE (the lock the
 * trigger's UPDATE takes anyway, which also keeps the account from being deleted or deactivated
 * under the write). Rollup rows are keyed by account, so these locks serialize them too.
 */
export interface AccountRef {
  readonly id: string;
  readonly currency: string;
  readonly is_active: boolean;
}

export async function lockAccounts(
  trx: Knex.Transaction,
  tenantId: string,
  ids: readonly string[],
): Promise<AccountRef[]> {
  const unique = [...new Set(ids)].sort();
  if (unique.length === 0) return [];
  return trx<AccountRef & { tenant_id: string }>('accounts')
    .select('id', 'currency', 'is_active')
    .where('tenant_id', tenantId)
    .whereIn('id', unique)
    .orderBy('id')
    .forNoKeyUpdate();
}

/**
 * The accounts a write refers to, locked once for a whole batch. Each must be visible (this
 * tenant's: row-level security hides the rest) and active; `field` names where the id came from.
 */
export async function loadActiveAccounts(
  trx: Knex.Transaction,
  tenantId: string,
  refs: ReadonlyArray<{ readonly id: string; readonly field: string }>,
): Promise<Map<string, AccountRef>> {
  const rows = await lockAccounts(
    trx,
    tenantId,
    refs.map((r) => r.id),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const ref of refs) {
    const account = byId.get(ref.id);
    if (!account) throw new ReferenceNotFoundError(ref.field, `account ${ref.id} not found`);
    if (!account.is_active) {
      throw new DomainError(404, `account ${ref.id} is inactive; reactivate it before adding transactions`, {
        field: ref.field,
      });
    }
  }
  return byId;
}
