/** The API's response types: the dashboard's come from the server's own definitions. */
export type {
  AccountSummary,
  BudgetStatus,
  CategoryTotal,
  CurrencyAmount,
  FinancialSummary,
  FullDashboard,
  MonthlyTrendPoint,
  RecentTransaction,
  TenantInfo,
  TransactionSummary,
} from '../../app/domain/dashboard/types.js';

export type Role = 'viewer' | 'analyst' | 'admin';

export interface Me {
  readonly tenant: { id: string; name: string; type: 'user' | 'organization' };
  readonly role: Role;
  readonly actor: string;
  readonly permissions: string[];
}

export interface Page<T> {
  readonly data: T[];
  readonly next_cursor: string | null;
}

export interface Transaction {
  readonly id: string;
  readonly account_id: string;
  readonly amount: string;
  readonly currency: string;
  readonly transaction_type: 'income' | 'expense' | 'transfer';
  readonly direction: 'credit' | 'debit';
  readonly status: 'pending' | 'posted' | 'void';
  readonly category: string;
  readonly description: string;
  readonly occurred_at: string;
}

export interface Account {
  readonly id: string;
  readonly name: string;
  readonly account_type: string;
  readonly currency: string;
  readonly balance: string;
  readonly is_active: boolean;
}

export const ACCOUNT_TYPES = ['checking', 'savings', 'credit_card', 'cash', 'investment', 'loan'] as const;
