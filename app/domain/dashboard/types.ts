/*
 * What the dashboard endpoints return (their response schemas: routes/dashboard/schemas.ts), in
 * the API's snake_case. Money is a decimal string rounded once to its currency's exponent;
 * amounts of different currencies are never added, so every money total is a list of
 * per-currency amounts, sorted by currency.
 */
export interface CurrencyAmount {
  readonly currency: string;
  readonly amount: string;
}

/** Balances converted to the tenant's base currency with the newest rate on file per currency. */
export interface ConvertedTotal {
  readonly currency: string;
  /** Sum over the base currency and every currency that has a rate; rounded once. */
  readonly amount: string;
  /** Rate used per source currency: 1 unit of the key = rate units of the base currency. */
  readonly rates: Readonly<Record<string, string>>;
  /** Currencies held but without any rate to the base currency; they are not in `amount`. */
  readonly missing_rates: string[];
  readonly complete: boolean;
}

export interface FinancialSummary {
  readonly total_balance: CurrencyAmount[];
  readonly total_balance_converted: ConvertedTotal;
  readonly total_accounts: number;
  readonly active_accounts: number;
  /** Non-void transactions (posted and pending, transfer legs included) in the range. */
  readonly total_transactions: number;
  readonly pending_transactions: number;
  /** The current calendar month in the tenant's timezone, 'YYYY-MM'. */
  readonly this_month: string;
  /** Posted income minus posted expenses this month, per currency. */
  readonly this_month_amount: CurrencyAmount[];
  readonly this_month_income: CurrencyAmount[];
  readonly this_month_expenses: CurrencyAmount[];
}

export interface AccountSummary {
  readonly account_id: string;
  readonly name: string;
  readonly account_type: string;
  readonly balance: string;
  readonly currency: string;
  readonly is_active: boolean;
}

export interface CategoryTotal {
  readonly category: string;
  readonly currency: string;
  readonly amount: string;
  readonly count: number;
}

export interface MonthlyTrendPoint {
  /** 'YYYY-MM' in the tenant's timezone. */
  readonly month: string;
  readonly currency: string;
  readonly income: string;
  readonly expenses: string;
  readonly net: string;
  /** Non-void transactions of any type and status in that month and currency. */
  readonly count: number;
}

export interface RecentTransaction {
  readonly transaction_id: string;
  readonly account_id: string;
  readonly amount: string;
  readonly currency: string;
  readonly transaction_type: string;
  readonly direction: string;
  readonly status: string;
  readonly category: string;
  /** Only for roles with transactions:read. */
  readonly description?: string;
  readonly occurred_at: string;
}

export interface TransactionSummary {
  readonly total_transactions: number;
  readonly pending_transactions: number;
  /** Gross posted income + expense volume per currency (transfers excluded). */
  readonly total_amount: CurrencyAmount[];
  /** total_amount divided by the number of those posted income and expense transactions. */
  readonly avg_amount: CurrencyAmount[];
  readonly income: CurrencyAmount[];
  readonly expenses: CurrencyAmount[];
  /** Top posted expense categories, at most 10 per currency, largest first. */
  readonly by_category: CategoryTotal[];
  readonly monthly_trend: MonthlyTrendPoint[];
  readonly recent_transactions: RecentTransaction[];
}

export interface BudgetStatus {
  readonly budget_id: string;
  readonly name: string;
  readonly category: string | null;
  readonly currency: string;
  readonly total_amount: string;
  readonly spent_amount: string;
  readonly remaining: string;
  readonly percentage_used: string;
  readonly is_over_budget: boolean;
  readonly start_date: string;
  readonly end_date: string;
}

export interface TenantInfo {
  readonly id: string;
  readonly name: string;
  readonly type: 'user' | 'organization';
  readonly display_name: string;
  readonly base_currency: string;
  readonly timezone: string;
}

export interface FullDashboard {
  readonly financial_summary: FinancialSummary;
  readonly account_summaries: AccountSummary[];
  readonly transaction_summary: TransactionSummary;
  readonly budget_statuses: BudgetStatus[];
  readonly tenant_info: TenantInfo;
}
