import type { Knex } from 'knex';

import { formatMoney } from '../money/decimal.js';
import { runPartDated, type Dated, type Part } from './sql-parts.js';
import type { AccountSummary } from './types.js';
import { CURRENT_TENANT } from './current-tenant.js';

interface AccountJson {
  id: string;
  name: string;
  account_type: string;
  balance: string;
  currency: string;
  is_active: boolean;
}

/** Every account of the tenant in creation order, balances as maintained by the triggers. */
export function accountsPart(): Part<AccountSummary[]> {
  return {
    ctes: [],
    expression: `(select coalesce(json_agg(json_build_object('id', id, 'name', name, 'account_type', account_type,
        'balance', balance::text, 'currency', currency, 'is_active', is_active) order by created_at, id), '[]')
        from accounts where tenant_id = ${CURRENT_TENANT})`,
    bindings: [],
    map: (rows: AccountJson[]): AccountSummary[] =>
      rows.map((row) => ({
        account_id: row.id,
        name: row.name,
        account_type: row.account_type,
        balance: formatMoney(row.balance, row.currency),
        currency: row.currency,
        is_active: row.is_active,
      })),
  };
}

export async function accountSummaries(trx: Knex.Transaction): Promise<AccountSummary[]> {
  return (await accountsAnswer(trx)).value;
}

/** The accounts with how long the answer stays true (see Dated), as /financial/dashboard/accounts caches it. */
export function accountsAnswer(trx: Knex.Transaction): Promise<Dated<AccountSummary[]>> {
  return runPartDated(trx, accountsPart());
}
