import { civil, dayOf, daysInMonth, localDay } from './calendar.js';
import type { PlannedAccount, TenantPlan } from './tenant-plan.js';

/**
 * How far back a seeded history goes and what recurs in it: the months the window covers (sized
 * so about a quarter of the rows are recurring) and each month's rent, salary, card payment, cash
 * top-up, savings and investment transfers and interest, with the rows each one writes.
 */
/** The local days the tenant's history covers: whole months back from the month of `until`. */
export interface SeedWindow {
  readonly firstDay: number;
  readonly lastDay: number;
  readonly months: number;
}

const MAX_MONTHS = 24;

function recurringPerMonth(plan: TenantPlan): number {
  // rent, card payment, cash top-up and savings transfer (2 legs each), salary, interest, one income
  // per extra currency, and for organizations an investment transfer (2 legs)
  const investment = plan.accounts.some((a) => a.key === 'investment') ? 2 : 0;
  return 9 + investment + (plan.currencies.length - 1);
}

export function seedWindow(plan: TenantPlan, count: number, until: number): SeedWindow {
  const months = Math.max(1, Math.min(MAX_MONTHS, Math.floor((count * 0.25) / recurringPerMonth(plan))));
  const lastDay = localDay(plan.timezone, until);
  const end = civil(lastDay);
  const startMonthIndex = end.year * 12 + (end.month - 1) - (months - 1);
  const firstDay = dayOf(Math.floor(startMonthIndex / 12), (startMonthIndex % 12) + 1, 1);
  return { firstDay, lastDay, months };
}

export interface RecurringEvent {
  readonly day: number;
  readonly kind:
    'rent' | 'card-payment' | 'cash-top-up' | 'salary' | 'side-income' | 'savings' | 'invest' | 'interest';
  readonly account?: PlannedAccount;
  readonly rows: number;
}

function recurringEvents(plan: TenantPlan, window: SeedWindow): RecurringEvent[] {
  const events: RecurringEvent[] = [];
  const secondary = plan.accounts.filter(
    (a) => a.currency !== plan.baseCurrency && a.accountType === 'checking',
  );
  const investment = plan.accounts.some((a) => a.key === 'investment');
  for (let day = window.firstDay; day <= window.lastDay; day += 1) {
    const date = civil(day);
    const last = daysInMonth(date.year, date.month);
    if (date.day === 1) events.push({ day, kind: 'rent', rows: 1 });
    if (date.day === 3) events.push({ day, kind: 'cash-top-up', rows: 2 });
    if (date.day === 5) events.push({ day, kind: 'card-payment', rows: 2 });
    if (date.day === Math.min(25, last)) {
      events.push({ day, kind: 'salary', rows: 1 });
      for (const account of secondary) events.push({ day, kind: 'side-income', account, rows: 1 });
    }
    if (date.day === Math.min(26, last)) events.push({ day, kind: 'savings', rows: 2 });
    if (date.day === Math.min(27, last) && investment) events.push({ day, kind: 'invest', rows: 2 });
    if (date.day === last) events.push({ day, kind: 'interest', rows: 1 });
  }
  return events;
}

/** The recurring rows of the window, and how many day-to-day expenses fill up to `count`. */
export function recurringPlan(
  plan: TenantPlan,
  window: SeedWindow,
  count: number,
): { events: RecurringEvent[]; expenseCount: number } {
  const events = recurringEvents(plan, window);
  const rows = events.reduce((sum, e) => sum + e.rows, 0);
  // Tiny seeds (a few dozen rows) get only everyday expenses.
  if (rows > count / 2) return { events: [], expenseCount: count };
  return { events, expenseCount: count - rows };
}
