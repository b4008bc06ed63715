import type { Knex } from 'knex';

import { formatMoney } from '../money/decimal.js';
import type { RangeInput } from '../time-range.js';
import { dashboardRange, type DashboardRange } from './date-range.js';
import { runPartDated, type Binding, type Dated, type Part } from './sql-parts.js';
import type { BudgetStatus } from './types.js';
import { CURRENT_TENANT } from './current-tenant.js';

interface BudgetJson {
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

export interface BudgetListOptions {
  /**
   * Without from/to, list only the budgets in effect today in the tenant's timezone
   * (start_date <= today <= end_date) instead of every budget ever created: finished monthly
   * budgets pile up, and the full dashboard shows what matters now. With a range, no effect.
   */
  readonly inEffectWhenUnranged?: boolean;
}

/** The posted-expense filter every rollup lookup of a budget shares. */
const MATCHES_BUDGET = `r.tenant_id = ${CURRENT_TENANT} and r.transaction_type = 'expense'
  and r.status = 'posted' and r.currency = b.currency and (b.category is null or r.category = b.category)`;

/**
 * Budget progress: spent = posted expenses in the budget's currency and category (null = every
 * category) on the days start_date..end_date inclusive, in the tenant's timezone. Other
 * currencies are never converted into a budget. Whole months of the budget are read from the
 * monthly rollups and the partial months at its edges from the daily rollups — the same sum
 * as the daily rows alone, but a monthly budget costs one index lookup instead of ~30.
 * With a range, only budgets overlapping it are listed; their spending is still their own span.
 */
export function budgetsPart(range: DashboardRange, options: BudgetListOptions = {}): Part<BudgetStatus[]> {
  const filters: string[] = [];
  const bindings: Binding[] = [];
  if (options.inEffectWhenUnranged && range.range.from === undefined && range.range.to === undefined) {
    // `today` is the tenant CTE's date in the tenant's timezone, the same calendar "this month" uses.
    filters.push('and (select today from tenant) between start_date and end_date');
  }
  // A budget overlaps the range when it has a day in common with the local days the range touches.
  if (range.firstDay !== undefined) {
    filters.push('and end_date >= ?::date');
    bindings.push(range.firstDay);
  }
  if (range.lastDay !== undefined) {
    filters.push('and start_date <= ?::date');
    bindings.push(range.lastDay);
  }
  return {
    ctes: [
      {
        name: 'b_rows',
        sql: `select b.id, b.name, b.category, b.currency, b.total_amount, b.start_date, b.end_date, b.created_at,
                     s.spent
                from (select id, name, category, currency::text as currency, total_amount, start_date, end_date,
                             created_at,
                             -- first whole month inside the budget, and the month after the last whole one
                             case when extract(day from start_date) = 1 then start_date
                                  else (date_trunc('month', start_date) + interval '1 month')::date end as m_from,
                             date_trunc('month', end_date + 1)::date as m_to
                        from budgets
                       where tenant_id = ${CURRENT_TENANT} ${filters.join(' ')}) b
                cross join lateral (
                  select coalesce((select sum(r.total) from transaction_rollups_monthly r
                                    where r.month >= b.m_from and r.month < b.m_to and ${MATCHES_BUDGET}), 0)
                       + coalesce((select sum(r.total) from transaction_rollups_daily r
                                    where r.day >= b.start_date and r.day < least(b.m_from, b.end_date + 1)
                                      and ${MATCHES_BUDGET}), 0)
                       + coalesce((select sum(r.total) from transaction_rollups_daily r
                                    where r.day >= greatest(b.m_to, b.m_from, b.start_date) and r.day <= b.end_date
                                      and ${MATCHES_BUDGET}), 0) as spent
                  offset 0 -- keeps this a subquery evaluated once per budget, not once per use of spent
                ) s`,
        bindings,
      },
    ],
    expression: `(select coalesce(json_agg(json_build_object(
        'id', id, 'name', name, 'category', category, 'currency', currency,
        'total_amount', total_amount::text, 'spent', spent::text, 'remaining', (total_amount - spent)::text,
        'percentage_used', round(spent * 100 / total_amount, 2)::text, 'is_over_budget', spent > total_amount,
        'start_date', start_date, 'end_date', end_date)
        order by start_date desc, name, created_at, id), '[]') from b_rows)`,
    bindings: [],
    map: (rows: BudgetJson[]): BudgetStatus[] =>
      rows.map((row) => ({
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
      })),
  };
}

export async function budgetStatuses(trx: Knex.Transaction, range: RangeInput): Promise<BudgetStatus[]> {
  return (await budgetsAnswer(trx, range)).value;
}

/** The budgets with how long the answer stays true (see Dated), as /financial/dashboard/budgets caches it. */
export async function budgetsAnswer(
  trx: Knex.Transaction,
  range: RangeInput,
): Promise<Dated<BudgetStatus[]>> {
  return runPartDated(trx, budgetsPart(await dashboardRange(trx, range)));
}
