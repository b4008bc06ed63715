import { Type, type Static } from 'typebox';

import { formatMoney } from '../money/decimal.js';
import { TRANSACTION_STATUSES, TRANSACTION_TYPES } from '../../db/models/index.js';
import { AccountType, Uuid } from './fields.js';

/**
 * What the API returns for each resource, declared once as a TypeBox schema (the routes'
 * response schemas) from which the view types derive: snake_case as the columns are named, money
 * as decimal strings rounded to the currency's minor unit, timestamps as ISO 8601 strings. These
 * are also what idempotent replays store, so a replay is byte-for-byte the first answer.
 */
const Stamp = Type.String({ format: 'date-time' });

export const AccountSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  account_type: AccountType,
  currency: Type.String(),
  balance: Type.String({ description: 'sum of posted transactions, decimal string' }),
  is_active: Type.Boolean(),
  created_at: Stamp,
  updated_at: Stamp,
});
export type AccountView = Static<typeof AccountSchema>;

export const TransactionSchema = Type.Object({
  id: Uuid,
  account_id: Uuid,
  amount: Type.String(),
  currency: Type.String(),
  transaction_type: Type.Enum([...TRANSACTION_TYPES]),
  direction: Type.Enum(['credit', 'debit']),
  status: Type.Enum([...TRANSACTION_STATUSES]),
  category: Type.String(),
  description: Type.String(),
  occurred_at: Stamp,
  transfer_id: Type.Union([Uuid, Type.Null()]),
  created_at: Stamp,
  updated_at: Stamp,
});
export type TransactionView = Static<typeof TransactionSchema>;

export const BudgetSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  category: Type.Union([Type.String(), Type.Null()], { description: 'null = all expenses' }),
  currency: Type.String(),
  total_amount: Type.String(),
  start_date: Type.String(),
  end_date: Type.String(),
  created_at: Stamp,
  updated_at: Stamp,
});
export type BudgetView = Static<typeof BudgetSchema>;

/** A row as read back: the view's fields, its instants as the driver hands them (Date, or text). */
type Stored<V, K extends keyof V> = Omit<V, K> & { [P in K]: Date | string };

function iso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

export type AccountRow = Stored<AccountView, 'created_at' | 'updated_at'>;

export function accountView(row: AccountRow): AccountView {
  return {
    id: row.id,
    name: row.name,
    account_type: row.account_type,
    currency: row.currency,
    balance: formatMoney(row.balance, row.currency),
    is_active: row.is_active,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export type TransactionRow = Stored<TransactionView, 'occurred_at' | 'created_at' | 'updated_at'>;

export function transactionView(row: TransactionRow): TransactionView {
  return {
    id: row.id,
    account_id: row.account_id,
    amount: formatMoney(row.amount, row.currency),
    currency: row.currency,
    transaction_type: row.transaction_type,
    direction: row.direction,
    status: row.status,
    category: row.category,
    description: row.description,
    occurred_at: iso(row.occurred_at),
    transfer_id: row.transfer_id,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export type BudgetRow = Stored<BudgetView, 'created_at' | 'updated_at'>;

export function budgetView(row: BudgetRow): BudgetView {
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    currency: row.currency,
    total_amount: formatMoney(row.total_amount, row.currency),
    start_date: row.start_date,
    end_date: row.end_date,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}
