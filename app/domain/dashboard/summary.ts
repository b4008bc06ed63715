import type { Knex } from 'knex';

import { formatMoney } from '../money/decimal.js';
import type { RangeInput } from '../time-range.js';
import { dashboardRange, type DashboardRange } from './date-range.js';
import { toCurrencyAmounts, type RawAmount } from './money-rows.js';
import { runPartDated, sourceCte, type Dated, type Part } from './sql-parts.js';
import type { FinancialSummary } from './types.js';
import { CURRENT_TENANT } from './current-tenant.js';

interface SummaryJson {
  base: string;
  this_month: string;
  balances: RawAmount[];
  converted: string;
  rates: Array<{ currency: string; rate: string | null }>;
  total_accounts: number;
  active_accounts: number;
  counts: { total: number; pending: number };
  month_flows: Array<{ currency: string; income: string; expenses: string; net: string }>;
}

/**
 * The headline numbers. Balances come from accounts (kept by triggers); counts in the range
 * from the rollups; "this month" is the monthly rollup row of the current month in the tenant's
 * timezone, which equals the sum of that month's daily rows.
 * Conversion: the newest rate on file for currency→base, else the inverse of the newest
 * base→currency rate (rounded to 10 places); a currency with neither is listed as missing.
 */
export function summaryPart(range: DashboardRange): Part<FinancialSummary> {
  return {
    ctes: [
      sourceCte(range),
      {
        name: 's_acct',
        sql: `select currency::text as currency, sum(balance) as balance, count(*) as n,
                     count(*) filter (where is_active) as active
                from accounts where tenant_id = ${CURRENT_TENANT} group by currency`,
        bindings: [],
      },
      {
        name: 's_rates',
        sql: `select a.currency, r.rate
                from s_acct a cross join tenant t
                left join lateral (
                  select x.rate from (
                    (select e.rate, e.as_of, 0 as pref from exchange_rates e
                      where e.base = a.currency and e.quote = t.base order by e.as_of desc limit 1)
                    union all
                    (select round(1 / e.rate, 10), e.as_of, 1 from exchange_rates e
                      where e.base = t.base and e.quote = a.currency order by e.as_of desc limit 1)
                  ) x order by x.as_of desc, x.pref limit 1
                ) r on true
               where a.currency <> t.base`,
        bindings: [],
      },
      {
        name: 's_month',
        sql: `select m.currency::text as currency,
                     coalesce(sum(m.total) filter (where m.transaction_type = 'income'), 0) as income,
                     coalesce(sum(m.total) filter (where m.transaction_type = 'expense'), 0) as expenses
                from transaction_rollups_monthly m cross join tenant t
               where m.tenant_id = ${CURRENT_TENANT} and m.month = t.this_month
                 and m.status = 'posted' and m.transaction_type in ('income', 'expense')
               group by m.currency having sum(m.count) > 0`,
        bindings: [],
      },
    ],
    expression: `json_build_object(
      'base', t.base,
      'this_month', to_char(t.this_month, 'YYYY-MM'),
      'balances', (select coalesce(json_agg(json_build_object('currency', currency, 'amount', balance::text)
                                            order by currency), '[]') from s_acct),
      'converted', (select coalesce(sum(a.balance * case when a.currency = t.base then 1 else r.rate end), 0)::text
                      from s_acct a left join s_rates r using (currency)),
      'rates', (select coalesce(json_agg(json_build_object('currency', currency, 'rate', trim_scale(rate)::text)
                                         order by currency), '[]') from s_rates),
      'total_accounts', (select coalesce(sum(n), 0)::bigint from s_acct),
      'active_accounts', (select coalesce(sum(active), 0)::bigint from s_acct),
      'counts', (select json_build_object('total', coalesce(sum(count), 0)::bigint,
                                          'pending', coalesce(sum(count) filter (where status = 'pending'), 0)::bigint)
                   from src),
      'month_flows', (select coalesce(json_agg(json_build_object('currency', currency, 'income', income::text,
                        'expenses', expenses::text, 'net', (income - expenses)::text) order by currency), '[]')
                        from s_month))`,
    bindings: [],
    map: (row: SummaryJson): FinancialSummary => {
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
        total_transactions: row.counts.total,
        pending_transactions: row.counts.pending,
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
    },
  };
}

export async function financialSummary(trx: Knex.Transaction, range: RangeInput): Promise<FinancialSummary> {
  return (await summaryAnswer(trx, range)).value;
}

/** The summary with how long it stays true (see Dated), as /financial/dashboard/summary caches it. */
export async function summaryAnswer(
  trx: Knex.Transaction,
  range: RangeInput,
): Promise<Dated<FinancialSummary>> {
  return runPartDated(trx, summaryPart(await dashboardRange(trx, range)));
}
