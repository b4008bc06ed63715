import type { Knex } from 'knex';

import { formatMoney } from '../money/decimal.js';
import type { DateRange } from './date-range.js';
import type { BudgetStatus } from './types.js';

interface BudgetRow {
  id: string;
  name: string;
  category: string | null;
  currency: string;
  total_amount: string;
  spent: string;
  remaining: string;
  percentage_used: string;
  is_over_budget: boolean;
  start_date: string;
  end_date: string;
}

/** The posted-expense filter every rollup lookup of a budget shares. */
const MATCHES_BUDGET = `r.tenant_id = findash_current_tenant() and r.transaction_type = 'expense'
  and r.status = 'posted' and r.currency = b.currency and (b.category is null or r.category = b.category)`;

/**
 * Budget progress: spent = posted expenses in the budget's currency and category (null = every
 * category) on the days start_date..end_date inclusive, in the tenant's timezone. Other
 * currencies are never converted into a budget. Whole months of the budget are read from the
 * monthly rollups and the partial months at its edges from the daily rollups — the same sum
 * as the daily rows alone, but a monthly budget costs one index lookup instead of ~30.
 * With a range, only budgets overlapping it are listed; their spending is still their own span.
 */
export async function budgetStatuses(trx: Knex.Transaction, range: DateRange): Promise<BudgetStatus[]> {
  const filters: string[] = [];
  const bindings: string[] = [];
  if (range.from !== undefined) {
    filters.push('and end_date >= ?::date');
    bindings.push(range.from);
  }
  if (range.to !== undefined) {
    filters.push('and start_date <= ?::date');
    bindings.push(range.to);
  }
  const result = await trx.raw<{ rows: BudgetRow[] }>(
    `
    with b as (
      select id, name, category, currency::text as currency, total_amount, start_date, end_date, created_at,
             -- first whole month inside the budget, and the month after the last whole one
             case when extract(day from start_date) = 1 then start_date
                  else (date_trunc('month', start_date) + interval '1 month')::date end as m_from,
             date_trunc('month', end_date + 1)::date as m_to
        from budgets
       where tenant_id = findash_current_tenant() ${filters.join(' ')}
    )
    select b.id, b.name, b.category, b.currency, b.total_amount::text as total_amount,
           s.spent::text as spent, (b.total_amount - s.spent)::text as remaining,
           round(s.spent * 100 / b.total_amount, 2)::text as percentage_used,
           s.spent > b.total_amount as is_over_budget, b.start_date, b.end_date
      from b cross join lateral (
        select coalesce((select sum(r.total) from transaction_rollups_monthly r
                          where r.month >= b.m_from and r.month < b.m_to and ${MATCHES_BUDGET}), 0)
             + coalesce((select sum(r.total) from transaction_rollups_daily r
                          where r.day >= b.start_date and r.day < least(b.m_from, b.end_date + 1)
                            and ${MATCHES_BUDGET}), 0)
             + coalesce((select sum(r.total) from transaction_rollups_daily r
                          where r.day >= greatest(b.m_to, b.m_from, b.start_date) and r.day <= b.end_date
                            and ${MATCHES_BUDGET}), 0) as spent
        offset 0 -- keeps this a subquery evaluated once per budget, not once per use of s.spent
      ) s
     order by b.start_date desc, b.name, b.created_at, b.id
    `,
    bindings,
  );
  return result.rows.map((row) => ({
    budget_id: row.id,
    name: row.name,
    category: row.category,
    currency: row.currency,
    total_amount: formatMoney(row.total_amount, row.currency),
    spent_amount: formatMoney(row.spent, row.currency),
    remaining: formatMoney(row.remaining, row.currency),
    percentage_used: row.percentage_used,
    is_over_budget: row.is_over_budget,
    start_date: row.start_date,
    end_date: row.end_date,
  }));
}
