import type { Knex } from 'knex';

import { formatMoney } from '../money/decimal.js';
import type { DateRange } from './date-range.js';
import { toCurrencyAmounts, type RawAmount } from './money-rows.js';
import { rollupSourceSql } from './rollup-source.js';
import type { FinancialSummary } from './types.js';

interface SummaryRow {
  base: string;
  this_month: string;
  balances: RawAmount[];
  converted: string;
  rates: Array<{ currency: string; rate: string | null }>;
  total_accounts: number;
  active_accounts: number;
  total_transactions: number;
  pending_transactions: number;
  month_flows: Array<{ currency: string; income: string; expenses: string; net: string }>;
}

/**
 * The headline numbers, in one statement. Balances come from accounts (kept by triggers);
 * counts in the range from the rollups; "this month" is the monthly rollup row of the current
 * month in the tenant's timezone, which equals the sum of that month's daily rows.
 * Conversion: the newest rate on file for currency→base, else the inverse of the newest
 * base→currency rate (rounded to 10 places); a currency with neither is listed as missing.
 */
export async function financialSummary(trx: Knex.Transaction, range: DateRange): Promise<FinancialSummary> {
  const source = rollupSourceSql(range);
  const result = await trx.raw<{ rows: SummaryRow[] }>(
    `
    with tenant as (
      select base_currency::text as base, date_trunc('month', now() at time zone timezone)::date as this_month
        from tenants where id = findash_current_tenant()
    ),
    acct as (
      select currency::text as currency, sum(balance) as balance, count(*) as n,
             count(*) filter (where is_active) as active
        from accounts where tenant_id = findash_current_tenant() group by currency
    ),
    rates as (
      select a.currency, r.rate
        from acct a cross join tenant t
        left join lateral (
          select x.rate from (
            (select e.rate, e.as_of, 0 as pref from exchange_rates e
              where e.base = a.currency and e.quote = t.base order by e.as_of desc limit 1)
            union all
            (select round(1 / e.rate, 10), e.as_of, 1 from exchange_rates e
              where e.base = t.base and e.quote = a.currency order by e.as_of desc limit 1)
          ) x order by x.as_of desc, x.pref limit 1
        ) r on true
       where a.currency <> t.base
    ),
    src as (${source.sql}),
    month_flows as (
      select m.currency::text as currency,
             coalesce(sum(m.total) filter (where m.transaction_type = 'income'), 0) as income,
             coalesce(sum(m.total) filter (where m.transaction_type = 'expense'), 0) as expenses
        from transaction_rollups_monthly m cross join tenant t
       where m.tenant_id = findash_current_tenant() and m.month = t.this_month
         and m.status = 'posted' and m.transaction_type in ('income', 'expense')
       group by m.currency having sum(m.count) > 0
    )
    select t.base, to_char(t.this_month, 'YYYY-MM') as this_month,
      (select coalesce(json_agg(json_build_object('currency', currency, 'amount', balance::text) order by currency), '[]')
         from acct) as balances,
      (select coalesce(sum(a.balance * case when a.currency = t.base then 1 else r.rate end), 0)::text
         from acct a left join rates r using (currency)) as converted,
      (select coalesce(json_agg(json_build_object('currency', currency, 'rate', trim_scale(rate)::text) order by currency), '[]')
         from rates) as rates,
      (select coalesce(sum(n), 0)::bigint from acct) as total_accounts,
      (select coalesce(sum(active), 0)::bigint from acct) as active_accounts,
      (select coalesce(sum(count), 0)::bigint from src) as total_transactions,
      (select coalesce(sum(count) filter (where status = 'pending'), 0)::bigint from src) as pending_transactions,
      (select coalesce(json_agg(json_build_object('currency', currency, 'income', income::text,
                 'expenses', expenses::text, 'net', (income - expenses)::text) order by currency), '[]')
         from month_flows) as month_flows
    from tenant t
    `,
    source.bindings,
  );
  const row = result.rows[0];
  if (!row) throw new Error('financialSummary: no tenant in scope (app.tenant_id is not set)');

  const rates: Record<string, string> = {};
  const missing: string[] = [];
  for (const { currency, rate } of row.rates) {
    if (rate === null) missing.push(currency);
    else rates[currency] = rate;
  }
  return {
    total_balance: toCurrencyAmounts(row.balances),
    total_balance_converted: {
      currency: row.base,
      amount: formatMoney(row.converted, row.base),
      rates,
      missing_rates: missing,
      complete: missing.length === 0,
    },
    total_accounts: row.total_accounts,
    active_accounts: row.active_accounts,
    total_transactions: row.total_transactions,
    pending_transactions: row.pending_transactions,
    this_month: row.this_month,
    this_month_amount: toCurrencyAmounts(
      row.month_flows.map((f) => ({ currency: f.currency, amount: f.net })),
    ),
    this_month_income: toCurrencyAmounts(
      row.month_flows.map((f) => ({ currency: f.currency, amount: f.income })),
    ),
    this_month_expenses: toCurrencyAmounts(
      row.month_flows.map((f) => ({ currency: f.currency, amount: f.expenses })),
    ),
  };
}
