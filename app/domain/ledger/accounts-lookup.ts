import type { Knex } from 'knex';

import { DomainError } from '../errors.js';
import { ReferenceNotFoundError } from './errors.js';

/**
 * The accounts a write refers to, loaded once for a whole batch. Each must be visible (this
 * tenant's: row-level security hides the rest) and active; `field` names where the id came from.
 * FOR KEY SHARE keeps the account from being deleted under the write without blocking the
 * balance update the rollup trigger makes.
 */
export interface AccountRef {
  readonly id: string;
  readonly currency: string;
  readonly is_active: boolean;
}

export async function loadActiveAccounts(
  trx: Knex.Transaction,
  tenantId: string,
  refs: ReadonlyArray<{ readonly id: string; readonly field: string }>,
): Promise<Map<string, AccountRef>> {
  const ids = [...new Set(refs.map((r) => r.id))];
  const rows = (await trx('accounts')
    .select('id', 'currency', 'is_active')
    .where('tenant_id', tenantId)
    .whereIn('id', ids)
    .forKeyShare()) as AccountRef[];
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
