import type { Knex } from 'knex';

import { formatMoney } from '../money/decimal.js';
import type { AccountSummary } from './types.js';

interface AccountRow {
  id: string;
  name: string;
  account_type: string;
  balance: string;
  currency: string;
  is_active: boolean;
}

/** Every account of the tenant in creation order, balances as maintained by the triggers. */
export async function accountSummaries(trx: Knex.Transaction): Promise<AccountSummary[]> {
  const result = await trx.raw<{ rows: AccountRow[] }>(
    `select id, name, account_type, balance::text as balance, currency::text as currency, is_active
       from accounts where tenant_id = findash_current_tenant()
      order by created_at, id`,
  );
  return result.rows.map((row) => ({
    account_id: row.id,
    name: row.name,
    account_type: row.account_type,
    balance: formatMoney(row.balance, row.currency),
    currency: row.currency,
    is_active: row.is_active,
  }));
}
