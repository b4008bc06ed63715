import { formatMoney } from '../money/decimal.js';
import type { AccountType, Direction, TransactionStatus, TransactionType } from '../../db/models/index.js';

/**
 * What the API returns for each resource: snake_case as the columns are named, money as
 * decimal strings rounded to the currency's minor unit, timestamps as ISO 8601 strings. These
 * are also what idempotent replays store, so a replay is byte-for-byte the first answer.
 */
export interface AccountView {
  id: string;
  name: string;
  account_type: AccountType;
  currency: string;
  balance: string;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

export interface TransactionView {
  id: string;
  account_id: string;
  amount: string;
  currency: string;
  transaction_type: TransactionType;
  direction: Direction;
  status: TransactionStatus;
  category: string;
  description: string;
  occurred_at: string;
  transfer_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface BudgetView {
  id: string;
  name: string;
  category: string | null;
  currency: string;
  total_amount: string;
  start_date: string;
  end_date: string;
  created_at: string;
  updated_at: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

function iso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

export interface AccountRow {
  id: string;
  name: string;
  account_type: AccountType;
  currency: string;
  balance: string;
  is_active: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

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

export interface TransactionRow {
  id: string;
  account_id: string;
  amount: string;
  currency: string;
  transaction_type: TransactionType;
  direction: Direction;
  status: TransactionStatus;
  category: string;
  description: string;
  occurred_at: Date | string;
  transfer_id: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

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

export interface BudgetRow {
  id: string;
  name: string;
  category: string | null;
  currency: string;
  total_amount: string;
  start_date: string;
  end_date: string;
  created_at: Date | string;
  updated_at: Date | string;
}

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
