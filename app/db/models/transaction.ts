import { Model } from 'objection';

export const TRANSACTION_TYPES = ['income', 'expense', 'transfer'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];
export const TRANSACTION_STATUSES = ['pending', 'posted', 'void'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];
export type Direction = 'credit' | 'debit';

/**
 * One ledger entry. `amount` is positive; `direction` says whether it credits or debits the
 * account (income credits, expense debits, a transfer is a debit leg and a credit leg sharing
 * transfer_id). Inserts and status changes fire the statement triggers that keep balances and
 * rollups, so write many rows in one statement where possible.
 */
export class Transaction extends Model {
  static override tableName = 'transactions';

  declare id: string;
  declare tenant_id: string;
  declare account_id: string;
  declare amount: string;
  declare currency: string;
  declare transaction_type: TransactionType;
  declare direction: Direction;
  declare status: TransactionStatus;
  declare category: string;
  declare description: string;
  // Read back as a Date; written as the ISO 8601 string the client sent (PostgreSQL parses the offset).
  declare occurred_at: Date | string;
  declare transfer_id: string | null;
  declare idempotency_key: string | null;
  declare created_at: Date;
  declare updated_at: Date;
}
