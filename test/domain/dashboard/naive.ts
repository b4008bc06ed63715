import type { Knex } from 'knex';

import type { DateRange } from '../../../app/domain/dashboard/date-range.js';
import type {
  BudgetStatus,
  CurrencyAmount,
  MonthlyTrendPoint,
  RecentTransaction,
} from '../../../app/domain/dashboard/types.js';
import { formatMoney } from '../../../app/domain/money/decimal.js';

/**
 * The dashboard's numbers computed the slow, obvious way: straight from raw transaction rows,
 * converting each occurred_at to the tenant's local day. Property tests compare the rollup-based
 * queries against these. Every query filters tenant_id explicitly rather than trusting RLS.
 */
const LOCAL_DAY = `(x.occurred_at at time zone (select timezone from tenants where id = x.tenant_id))::date`;

function rangeSql(range: DateRange): { sql: string; bindings: string[] } {
  const parts: string[] = [];
  const bindings: string[] = [];
  if (range.from !== undefined) {
    parts.push(`and ${LOCAL_DAY} >= ?::date`);
    bindings.push(range.from);
  }
  if (range.to !== undefined) {
    parts.push(`and ${LOCAL_DAY} <= ?::date`);
    bindings.push(range.to);
  }
  return { sql: parts.join(' '), bindings };
}

async function rows<T>(
  trx: Knex.Transaction,
  sql: string,
  bindings: readonly Knex.RawBinding[],
): Promise<T[]> {
  return (await trx.raw<{ rows: T[] }>(sql, [...bindings])).rows;
}

const money = (list: Array<{ currency: string; amount: string }>): CurrencyAmount[] =>
  list.map((r) => ({ currency: r.currency, amount: formatMoney(r.amount, r.currency) }));

export interface NaiveNumbers {
  total_balance: CurrencyAmount[];
  total_transactions: number;
  pending_transactions: number;
  this_month_income: CurrencyAmount[];
  this_month_expenses: CurrencyAmount[];
  this_month_amount: CurrencyAmount[];
  total_amount: CurrencyAmount[];
  avg_amount: CurrencyAmount[];
  income: CurrencyAmount[];
  expenses: CurrencyAmount[];
  by_category: Array<{ category: string; currency: string; amount: string; count: number }>;
  monthly_trend: MonthlyTrendPoint[];
  recent: Array<
    Pick<RecentTransaction, 'amount' | 'currency' | 'status' | 'category' | 'occurred_at'> & {
      transaction_id: string;
    }
  >;
  budgets: Array<
    Pick<BudgetStatus, 'budget_id' | 'spent_amount' | 'remaining' | 'percentage_used' | 'is_over_budget'>
  >;
}

export async function naiveNumbers(
  trx: Knex.Transaction,
  tenantId: string,
  range: DateRange,
): Promise<NaiveNumbers> {
  const r = rangeSql(range);
  const balances = await rows<{ currency: string; amount: string }>(
    trx,
    `select a.currency::text as currency,
            coalesce(sum(case when x.direction = 'credit' then x.amount else -x.amount end)
                     filter (where x.status = 'posted'), 0)::text as amount
       from accounts a left join transactions x on x.account_id = a.id and x.tenant_id = a.tenant_id
      where a.tenant_id = ? group by a.currency order by a.currency`,
    [tenantId],
  );
  const [counts] = await rows<{ total: number; pending: number }>(
    trx,
    `select count(*)::int as total, (count(*) filter (where status = 'pending'))::int as pending
       from transactions x where x.tenant_id = ? and x.status <> 'void' ${r.sql}`,
    [tenantId, ...r.bindings],
  );
  const thisMonth = await rows<{ currency: string; income: string; expenses: string }>(
    trx,
    `select x.currency::text as currency,
            coalesce(sum(x.amount) filter (where x.transaction_type = 'income'), 0)::text as income,
            coalesce(sum(x.amount) filter (where x.transaction_type = 'expense'), 0)::text as expenses
       from transactions x join tenants t on t.id = x.tenant_id
      where x.tenant_id = ? and x.status = 'posted' and x.transaction_type in ('income', 'expense')
        and date_trunc('month', x.occurred_at at time zone t.timezone) = date_trunc('month', now() at time zone t.timezone)
      group by x.currency order by x.currency`,
    [tenantId],
  );
  const flows = await rows<{
    currency: string;
    income: string;
    expenses: string;
    volume: string;
    average: string;
  }>(
    trx,
    `select x.currency::text as currency,
            coalesce(sum(x.amount) filter (where x.transaction_type = 'income'), 0)::text as income,
            coalesce(sum(x.amount) filter (where x.transaction_type = 'expense'), 0)::text as expenses,
            sum(x.amount)::text as volume, avg(x.amount)::text as average
       from transactions x
      where x.tenant_id = ? and x.status = 'posted' and x.transaction_type in ('income', 'expense') ${r.sql}
      group by x.currency order by x.currency`,
    [tenantId, ...r.bindings],
  );
  const categories = await rows<{ category: string; currency: string; amount: string; count: number }>(
    trx,
    `select category, currency, amount, count from (
       select x.category, x.currency::text as currency, sum(x.amount)::text as amount, sum(x.amount) as sort_amount,
              count(*)::int as count,
              row_number() over (partition by x.currency order by sum(x.amount) desc, x.category) as rank
         from transactions x
        where x.tenant_id = ? and x.status = 'posted' and x.transaction_type = 'expense' ${r.sql}
        group by x.category, x.currency) c
      where rank <= 10 order by currency, sort_amount desc, category`,
    [tenantId, ...r.bindings],
  );
  const trend = await rows<{
    month: string;
    currency: string;
    income: string;
    expenses: string;
    count: number;
  }>(
    trx,
    `with t as (
       select timezone, date_trunc('month', coalesce(?::date, (now() at time zone timezone)::date))::date as trend_end
         from tenants where id = ?
     ),
     months as (
       select generate_series(greatest(t.trend_end - interval '11 months', date_trunc('month', ?::date)),
                              t.trend_end, interval '1 month')::date as month from t
     ),
     raw as (
       select date_trunc('month', x.occurred_at at time zone t.timezone)::date as month, x.currency::text as currency,
              coalesce(sum(x.amount) filter (where x.status = 'posted' and x.transaction_type = 'income'), 0) as income,
              coalesce(sum(x.amount) filter (where x.status = 'posted' and x.transaction_type = 'expense'), 0) as expenses,
              count(*)::int as count
         from transactions x cross join t
        where x.tenant_id = ? and x.status <> 'void' ${r.sql}
        group by 1, 2
     ),
     cur as (select distinct r.currency from raw r join months m on m.month = r.month)
     select to_char(m.month, 'YYYY-MM') as month, c.currency,
            coalesce(raw.income, 0)::text as income, coalesce(raw.expenses, 0)::text as expenses,
            coalesce(raw.count, 0) as count
       from months m cross join cur c left join raw on raw.month = m.month and raw.currency = c.currency
      order by m.month, c.currency`,
    [range.to ?? null, tenantId, range.from ?? null, tenantId, ...r.bindings],
  );
  const recent = await rows<{
    id: string;
    amount: string;
    currency: string;
    status: string;
    category: string;
    occurred_at: Date;
  }>(
    trx,
    `select x.id, x.amount::text as amount, x.currency::text as currency, x.status, x.category, x.occurred_at
       from transactions x where x.tenant_id = ? and x.status <> 'void' ${r.sql}
      order by x.occurred_at desc, x.id desc limit 10`,
    [tenantId, ...r.bindings],
  );
  const budgets = await rows<{
    id: string;
    currency: string;
    spent: string;
    remaining: string;
    pct: string;
    over: boolean;
  }>(
    trx,
    `select b.id, b.currency::text as currency, s.spent::text as spent, (b.total_amount - s.spent)::text as remaining,
            round(s.spent / b.total_amount * 100, 2)::text as pct, s.spent > b.total_amount as over
       from budgets b cross join lateral (
         select coalesce(sum(x.amount), 0) as spent from transactions x
          where x.tenant_id = b.tenant_id and x.status = 'posted' and x.transaction_type = 'expense'
            and x.currency = b.currency and (b.category is null or x.category = b.category)
            and ${LOCAL_DAY} between b.start_date and b.end_date) s
      where b.tenant_id = ? ${range.from !== undefined ? 'and b.end_date >= ?::date' : ''}
            ${range.to !== undefined ? 'and b.start_date <= ?::date' : ''}
      order by b.start_date desc, b.name, b.created_at, b.id`,
    [
      tenantId,
      ...(range.from !== undefined ? [range.from] : []),
      ...(range.to !== undefined ? [range.to] : []),
    ],
  );

  return {
    total_balance: money(balances),
    total_transactions: counts?.total ?? 0,
    pending_transactions: counts?.pending ?? 0,
    this_month_income: money(thisMonth.map((m) => ({ currency: m.currency, amount: m.income }))),
    this_month_expenses: money(thisMonth.map((m) => ({ currency: m.currency, amount: m.expenses }))),
    this_month_amount: thisMonth.map((m) => ({
      currency: m.currency,
      amount: formatMoney(subtract(m.income, m.expenses), m.currency),
    })),
    total_amount: money(flows.map((f) => ({ currency: f.currency, amount: f.volume }))),
    avg_amount: money(flows.map((f) => ({ currency: f.currency, amount: f.average }))),
    income: money(flows.map((f) => ({ currency: f.currency, amount: f.income }))),
    expenses: money(flows.map((f) => ({ currency: f.currency, amount: f.expenses }))),
    by_category: categories.map((c) => ({ ...c, amount: formatMoney(c.amount, c.currency) })),
    monthly_trend: trend.map((p) => ({
      month: p.month,
      currency: p.currency,
      income: formatMoney(p.income, p.currency),
      expenses: formatMoney(p.expenses, p.currency),
      net: formatMoney(subtract(p.income, p.expenses), p.currency),
      count: p.count,
    })),
    recent: recent.map((x) => ({
      transaction_id: x.id,
      amount: formatMoney(x.amount, x.currency),
      currency: x.currency,
      status: x.status,
      category: x.category,
      occurred_at: x.occurred_at.toISOString(),
    })),
    budgets: budgets.map((b) => ({
      budget_id: b.id,
      spent_amount: formatMoney(b.spent, b.currency),
      remaining: formatMoney(b.remaining, b.currency),
      percentage_used: b.pct,
      is_over_budget: b.over,
    })),
  };
}

/** a − b on decimal strings, exactly (test-side; the app does this in SQL). */
function subtract(a: string, b: string): string {
  const scale = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const toInt = (v: string): bigint => {
    const [w = '0', f = ''] = v.replace('-', '').split('.');
    const n = BigInt(w + f.padEnd(scale, '0'));
    return v.startsWith('-') ? -n : n;
  };
  const d = toInt(a) - toInt(b);
  const neg = d < 0n;
  const digits = (neg ? -d : d).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return neg ? `-${text}` : text;
}
