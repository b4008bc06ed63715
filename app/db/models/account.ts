import { Model } from 'objection';

export const ACCOUNT_TYPES = ['checking', 'savings', 'credit_card', 'cash', 'investment', 'loan'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/**
 * A tenant's account. `balance` is NUMERIC as a string and is written only by the
 * transactions rollup trigger; callers never set it. Row-level security scopes every query to
 * the transaction's tenant, so Account.query(trx) needs no tenant filter to be safe.
 */
export class Account extends Model {
  static override tableName = 'accounts';

  declare id: string;
  declare tenant_id: string;
  declare name: string;
  declare account_type: AccountType;
  declare currency: string;
  declare balance: string;
  declare is_active: boolean;
  declare created_at: Date;
  declare updated_at: Date;
}
