import { civil, dayOf, daysInMonth, isoDay } from './calendar.js';
import { EXPENSE_CATEGORIES, USD_VALUE } from './catalog.js';
import { Random } from './random.js';
import { AMOUNT_FACTOR_MEAN, type TenantPlan } from './tenant-plan.js';
import { recurringPlan, type SeedWindow } from './recurring-schedule.js';

export interface BudgetRow {
  readonly name: string;
  readonly category: string | null;
  readonly currency: string;
  readonly total_amount: string;
  readonly start_date: string;
  readonly end_date: string;
}

const BUDGET_MONTHS = 6;
const BUDGETED_CATEGORIES = 6;

/** Two significant digits, at least 1: budgets are round numbers people type. */
function roundBudget(units: number): string {
  if (units < 1) return '1';
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(units)) - 1);
  return String(Math.max(1, Math.round(units / magnitude) * magnitude));
}

/**
 * Monthly budgets for the tenant's six biggest spending categories over the last six months
 * (the current one included), sized around expected spending so some run over, plus one
 * all-category budget for the current calendar year; all in the base currency.
 */
export function planBudgets(plan: TenantPlan, seed: number, window: SeedWindow, count: number): BudgetRow[] {
  const rng = new Random(seed, plan.index, 0xb0d6e7);
  const { expenseCount } = recurringPlan(plan, window, count);
  if (expenseCount === 0) return [];
  const baseShare = plan.accounts
    .filter((a) => a.currency === plan.baseCurrency)
    .reduce((sum, a) => sum + a.expenseShare, 0);
  const weightTotal = EXPENSE_CATEGORIES.reduce((sum, c) => sum + c.weight, 0);
  const perMonth = (expenseCount / window.months) * baseShare;
  const usdToBase = 1 / (USD_VALUE[plan.baseCurrency] ?? 1);
  const monthlyUnits = (weight: number, usd: number): number =>
    ((perMonth * weight) / weightTotal) * usd * AMOUNT_FACTOR_MEAN * usdToBase;

  const top = [...EXPENSE_CATEGORIES]
    .sort((a, b) => b.weight * b.usd - a.weight * a.usd)
    .slice(0, BUDGETED_CATEGORIES);
  const end = civil(window.lastDay);
  const rows: BudgetRow[] = [];
  for (let back = Math.min(BUDGET_MONTHS, window.months) - 1; back >= 0; back -= 1) {
    const index = end.year * 12 + end.month - 1 - back;
    const year = Math.floor(index / 12);
    const month = (index % 12) + 1;
    const label = `${year}-${String(month).padStart(2, '0')}`;
    for (const category of top) {
      rows.push({
        name: `${category.name[0]?.toUpperCase() ?? ''}${category.name.slice(1)} ${label}`,
        category: category.name,
        currency: plan.baseCurrency,
        total_amount: roundBudget(monthlyUnits(category.weight, category.usd) * (0.85 + 0.4 * rng.next())),
        start_date: isoDay(dayOf(year, month, 1)),
        end_date: isoDay(dayOf(year, month, daysInMonth(year, month))),
      });
    }
  }
  const monthlyTotal = EXPENSE_CATEGORIES.reduce((sum, c) => sum + monthlyUnits(c.weight, c.usd), 0);
  rows.push({
    name: `Everything ${end.year}`,
    category: null,
    currency: plan.baseCurrency,
    total_amount: roundBudget(monthlyTotal * 12 * 1.05),
    start_date: `${end.year}-01-01`,
    end_date: `${end.year}-12-31`,
  });
  return rows;
}
