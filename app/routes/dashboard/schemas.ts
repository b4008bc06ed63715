import { Type } from 'typebox';

import { TimeRange } from '../time-range.js';

/**
 * Response and query schemas of the dashboard routes. They mirror app/domain/dashboard/types.ts
 * and let Fastify serialize responses with a compiled serializer (and document them at /docs).
 */
export const RangeQuery = Type.Object({ ...TimeRange }, { additionalProperties: false });

export const NoQuery = Type.Object({}, { additionalProperties: false });

const Money = Type.String({ description: 'decimal string rounded to the currency minor unit' });
const CurrencyAmount = Type.Object({ currency: Type.String(), amount: Money });
const CurrencyAmounts = Type.Array(CurrencyAmount, {
  description: 'one entry per currency, never summed across currencies',
});

export const FinancialSummarySchema = Type.Object({
  total_balance: CurrencyAmounts,
  total_balance_converted: Type.Object({
    currency: Type.String({ description: 'the tenant base currency' }),
    amount: Money,
    rates: Type.Record(Type.String(), Type.String(), {
      description: 'rate used per currency: 1 unit of the key = rate units of the base currency',
    }),
    missing_rates: Type.Array(Type.String(), {
      description: 'held currencies without a rate; excluded from amount',
    }),
    complete: Type.Boolean(),
  }),
  total_accounts: Type.Integer(),
  active_accounts: Type.Integer(),
  total_transactions: Type.Integer({
    description: 'non-void transactions in the range (transfer legs count one each)',
  }),
  pending_transactions: Type.Integer(),
  this_month: Type.String({ description: 'YYYY-MM, the current month in the tenant timezone' }),
  this_month_amount: CurrencyAmounts,
  this_month_income: CurrencyAmounts,
  this_month_expenses: CurrencyAmounts,
});

export const AccountSummarySchema = Type.Object({
  account_id: Type.String(),
  name: Type.String(),
  account_type: Type.String(),
  balance: Money,
  currency: Type.String(),
  is_active: Type.Boolean(),
});

export const TransactionSummarySchema = Type.Object({
  total_transactions: Type.Integer(),
  pending_transactions: Type.Integer(),
  total_amount: CurrencyAmounts,
  avg_amount: CurrencyAmounts,
  income: CurrencyAmounts,
  expenses: CurrencyAmounts,
  by_category: Type.Array(
    Type.Object({ category: Type.String(), currency: Type.String(), amount: Money, count: Type.Integer() }),
  ),
  monthly_trend: Type.Array(
    Type.Object({
      month: Type.String(),
      currency: Type.String(),
      income: Money,
      expenses: Money,
      net: Money,
      count: Type.Integer(),
    }),
  ),
  recent_transactions: Type.Array(
    Type.Object({
      transaction_id: Type.String(),
      account_id: Type.String(),
      amount: Money,
      currency: Type.String(),
      transaction_type: Type.String(),
      direction: Type.String(),
      status: Type.String(),
      category: Type.String(),
      description: Type.Optional(Type.String({ description: 'only for roles with transactions:read' })),
      occurred_at: Type.String(),
    }),
  ),
});

export const BudgetStatusSchema = Type.Object({
  budget_id: Type.String(),
  name: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  currency: Type.String(),
  total_amount: Money,
  spent_amount: Money,
  remaining: Money,
  percentage_used: Type.String({ description: 'spent / total × 100, two decimals' }),
  is_over_budget: Type.Boolean(),
  start_date: Type.String(),
  end_date: Type.String(),
});

export const TenantInfoSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.Union([Type.Literal('user'), Type.Literal('organization')]),
  display_name: Type.String(),
  base_currency: Type.String(),
  timezone: Type.String(),
});

export const FullDashboardSchema = Type.Object({
  financial_summary: FinancialSummarySchema,
  account_summaries: Type.Array(AccountSummarySchema),
  transaction_summary: TransactionSummarySchema,
  budget_statuses: Type.Array(BudgetStatusSchema),
  tenant_info: TenantInfoSchema,
});
