import type { Knex } from 'knex';

import { formatMoney } from '../money/decimal.js';
import { rangeConditions, type RangeInput } from '../time-range.js';
import { dashboardRange, type DashboardRange } from './date-range.js';
import { runPartDated, sourceCte, type Binding, type Dated, type Part } from './sql-parts.js';
import type { RecentTransaction, TransactionSummary } from './types.js';
import { CURRENT_TENANT } from './current-tenant.js';

/** How many recent transactions, trend months and categories per currency the summary shows. */
export const RECENT_LIMIT = 10;
export const TREND_MONTHS = 12;
export const TOP_CATEGORIES = 10;

export interface TransactionSummaryOptions {
  /** Descriptions are free text a viewer may not read; only roles with transactions:read get them. */
  readonly includeDescriptions: boolean;
}

interface FlowJson {
  currency: string;
  income: string;
  expenses: string;
  volume: string;
  average: string | null;
}

interface SummaryJson {
  total_transactions: number;
  pending_transactions: number;
  flows: FlowJson[];
  categories: Array<{ category: string; currency: string; amount: string; count: number }>;
  trend: Array<{
    month: string;
    currency: string;
    income: string;
    expenses: string;
    net: string;
    count: number;
  }>;
  recent: Array<Omit<RecentTransaction, 'transaction_id'> & { id: string }>;
}

/**
 * Totals, categories and the monthly trend over the range from the rollups, and the latest
 * transactions from the raw table through its (tenant_id, occurred_at desc, id desc) index.
 * Money totals count posted income and expenses; transfers move money between the tenant's own
 * accounts and are neither. Counts include pending rows; void rows count nowhere.
 * The trend covers the 12 months ending with the month of the range's last day (default: this month in the
 * tenant's timezone), clipped to `from`, with zeros for empty months.
 * Rollup rows whose transactions were all voided or moved stay behind with count 0; every
 * grouping drops groups whose count is 0, so they never show up as a currency or category.
 */
export function transactionsPart(
  range: DashboardRange,
  options: TransactionSummaryOptions,
): Part<TransactionSummary> {
  const recentBounds: string[] = [];
  const recentBindings: Binding[] = [];
  for (const condition of rangeConditions('x.occurred_at', range.range, '(select timezone from tenant)')) {
    recentBounds.push(`and ${condition.sql}`);
    recentBindings.push(...condition.bindings);
  }
  const withDescription = options.includeDescriptions;

  return {
    ctes: [
      sourceCte(range),
      {
        name: 'x_flows',
        sql: `select currency::text as currency,
                     coalesce(sum(total) filter (where transaction_type = 'income'), 0) as income,
                     coalesce(sum(total) filter (where transaction_type = 'expense'), 0) as expenses,
                     sum(total) as volume, sum(count) as n
                from src where status = 'posted' and transaction_type in ('income', 'expense')
               group by currency having sum(count) > 0`,
        bindings: [],
      },
      {
        name: 'x_categories',
        sql: `select category, currency::text as currency, sum(total) as amount, sum(count)::bigint as n,
                     row_number() over (partition by currency order by sum(total) desc, category) as rank
                from src where status = 'posted' and transaction_type = 'expense'
               group by category, currency having sum(count) > 0`,
        bindings: [],
      },
      {
        name: 'x_months',
        sql: `select generate_series(greatest(e.trend_end - interval '${TREND_MONTHS - 1} months',
                                              date_trunc('month', ?::date)),
                                     e.trend_end, interval '1 month')::date as month
                from (select date_trunc('month', coalesce(?::date, t.today))::date as trend_end from tenant t) e`,
        bindings: [range.firstDay ?? null, range.lastDay ?? null],
      },
      {
        name: 'x_trend_raw',
        sql: `select month, currency::text as currency,
                     coalesce(sum(total) filter (where status = 'posted' and transaction_type = 'income'), 0) as income,
                     coalesce(sum(total) filter (where status = 'posted' and transaction_type = 'expense'), 0) as expenses,
                     sum(count)::bigint as n
                from src where month >= (select min(month) from x_months) and month <= (select max(month) from x_months)
               group by month, currency having sum(count) > 0`,
        bindings: [],
      },
      {
        name: 'x_trend',
        sql: `select m.month, c.currency, coalesce(r.income, 0) as income, coalesce(r.expenses, 0) as expenses,
                     coalesce(r.n, 0) as n
                from x_months m cross join (select distinct currency from x_trend_raw) c
                left join x_trend_raw r on r.month = m.month and r.currency = c.currency`,
        bindings: [],
      },
      {
        name: withDescription ? 'x_recent_full' : 'x_recent',
        sql: `select x.id, x.account_id, x.amount, x.currency::text as currency, x.transaction_type, x.direction,
                     x.status, x.category${withDescription ? ', x.description' : ''}, x.occurred_at
                from transactions x
               where x.tenant_id = ${CURRENT_TENANT} and x.status <> 'void' ${recentBounds.join(' ')}
               order by x.occurred_at desc, x.id desc
               limit ${RECENT_LIMIT}`,
        bindings: recentBindings,
      },
    ],
    expression: `json_build_object(
      'total_transactions', (select coalesce(sum(count), 0)::bigint from src),
      'pending_transactions', (select coalesce(sum(count) filter (where status = 'pending'), 0)::bigint from src),
      'flows', (select coalesce(json_agg(json_build_object('currency', currency, 'income', income::text,
                  'expenses', expenses::text, 'volume', volume::text, 'average', (volume / n)::text)
                  order by currency), '[]') from x_flows),
      'categories', (select coalesce(json_agg(json_build_object('category', category, 'currency', currency,
                       'amount', amount::text, 'count', n) order by currency, amount desc, category), '[]')
                       from x_categories where rank <= ${TOP_CATEGORIES}),
      'trend', (select coalesce(json_agg(json_build_object('month', to_char(month, 'YYYY-MM'), 'currency', currency,
                  'income', income::text, 'expenses', expenses::text, 'net', (income - expenses)::text, 'count', n)
                  order by month, currency), '[]') from x_trend),
      'recent', (select coalesce(json_agg(json_build_object('id', id, 'account_id', account_id, 'amount', amount::text,
                   'currency', currency, 'transaction_type', transaction_type, 'direction', direction,
                   'status', status, 'category', category${withDescription ? `, 'description', description` : ''},
                   'occurred_at', to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                   order by occurred_at desc, id desc), '[]') from ${withDescription ? 'x_recent_full' : 'x_recent'}))`,
    bindings: [],
    map: (row: SummaryJson): TransactionSummary => ({
      total_transactions: row.total_transactions,
      pending_transactions: row.pending_transactions,
      total_amount: row.flows.map((f) => ({
        currency: f.currency,
        amount: formatMoney(f.volume, f.currency),
      })),
      avg_amount: row.flows.map((f) => ({
        currency: f.currency,
        amount: formatMoney(f.average, f.currency),
      })),
      income: row.flows.map((f) => ({ currency: f.currency, amount: formatMoney(f.income, f.currency) })),
      expenses: row.flows.map((f) => ({ currency: f.currency, amount: formatMoney(f.expenses, f.currency) })),
      by_category: row.categories.map((c) => ({
        category: c.category,
        currency: c.currency,
        amount: formatMoney(c.amount, c.currency),
        count: c.count,
      })),
      monthly_trend: row.trend.map((p) => ({
        month: p.month,
        currency: p.currency,
        income: formatMoney(p.income, p.currency),
        expenses: formatMoney(p.expenses, p.currency),
        net: formatMoney(p.net, p.currency),
        count: p.count,
      })),
      recent_transactions: row.recent.map(({ id, amount, currency, ...rest }) => ({
        transaction_id: id,
        ...rest,
        amount: formatMoney(amount, currency),
        currency,
      })),
    }),
  };
}

export async function transactionSummary(
  trx: Knex.Transaction,
  range: RangeInput,
  options: TransactionSummaryOptions,
): Promise<TransactionSummary> {
  return (await transactionsAnswer(trx, range, options)).value;
}

/** The summary with how long it stays true (see Dated), as /financial/dashboard/transactions caches it. */
export async function transactionsAnswer(
  trx: Knex.Transaction,
  range: RangeInput,
  options: TransactionSummaryOptions,
): Promise<Dated<TransactionSummary>> {
  return runPartDated(trx, transactionsPart(await dashboardRange(trx, range), options));
}
