import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { dayNumber, dayString } from '../../../app/domain/dashboard/date-range.js';
import type { BudgetStatus, FullDashboard } from '../../../app/domain/dashboard/types.js';
import { addBudget, asTenant, localDate } from '../../domain/dashboard/fixtures.js';
import { bearer, startTestApp, type TestApp, type TestTenant } from '../../harness/app.js';

/** `date` moved by whole days. */
function plusDays(date: string, days: number): string {
  return dayString(dayNumber(date)! + days);
}

/** First and last day of the month `offset` months from the month of `date`. */
function monthAround(date: string, offset: number): { start: string; end: string } {
  const [year, month] = date.split('-').map(Number) as [number, number];
  const day = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10);
  return { start: day(year, month - 1 + offset, 1), end: day(year, month + offset, 0) };
}

describe('the full dashboard lists the budgets in effect today, /budgets lists them all', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  const names = (budgets: BudgetStatus[]) => budgets.map((b) => b.name);
  const get = async <T>(tenant: TestTenant, url: string): Promise<T> => {
    const res = await t.app.inject({ method: 'GET', url, headers: bearer(tenant.tokens.viewer) });
    expect(res.statusCode).toBe(200);
    return res.json<T>();
  };

  /**
   * Sets up a fresh tenant whose budgets are dated relative to its local date and reads the
   * answers; if that date changed meanwhile (a run across the tenant's midnight) it starts over,
   * so the expectations never depend on the hour the test runs.
   */
  async function onOneLocalDay<T>(
    timezone: string,
    budgets: (today: string) => Array<{ name: string; start: string; end: string }>,
    read: (tenant: TestTenant, today: string) => Promise<T>,
  ): Promise<T & { today: string }> {
    for (;;) {
      const today = localDate(new Date(), timezone);
      const tenant = await t.createTenant({ timezone });
      await asTenant(t.owner, tenant.id, async (trx) => {
        for (const b of budgets(today)) {
          await addBudget(trx, tenant.id, { ...b, category: null, currency: 'USD', total: '100.00' });
        }
      });
      const result = await read(tenant, today);
      if (localDate(new Date(), timezone) === today) return { ...result, today };
    }
  }

  it('omits a budget that ended last month and one that starts next month; a range lists what overlaps it', async () => {
    const zone = 'Europe/Berlin';
    const result = await onOneLocalDay(
      zone,
      (today) => [
        { name: 'Last month', ...monthAround(today, -1) },
        { name: 'This month', ...monthAround(today, 0) },
        { name: 'Next month', ...monthAround(today, 1) },
      ],
      async (tenant, today) => {
        const last = monthAround(today, -1);
        const next = monthAround(today, 1);
        const lastMonth = `from=${last.start}&to=${last.end}`;
        const threeMonths = `from=${last.start}&to=${next.start}`;
        return {
          dashboard: await get<FullDashboard>(tenant, '/financial/dashboard'),
          budgets: await get<BudgetStatus[]>(tenant, '/financial/dashboard/budgets'),
          lastMonth: await get<FullDashboard>(tenant, `/financial/dashboard?${lastMonth}`),
          threeMonths: await get<FullDashboard>(tenant, `/financial/dashboard?${threeMonths}`),
          threeMonthsBudgets: await get<BudgetStatus[]>(
            tenant,
            `/financial/dashboard/budgets?${threeMonths}`,
          ),
          fromToday: await get<FullDashboard>(tenant, `/financial/dashboard?from=${today}`),
        };
      },
    );

    expect(names(result.dashboard.budget_statuses)).toEqual(['This month']);
    const thisMonth = monthAround(result.today, 0);
    expect(result.dashboard.budget_statuses[0]).toMatchObject({
      start_date: thisMonth.start,
      end_date: thisMonth.end,
      total_amount: '100.00',
      spent_amount: '0.00',
    });
    expect(names(result.budgets)).toEqual(['Next month', 'This month', 'Last month']);
    expect(names(result.lastMonth.budget_statuses)).toEqual(['Last month']);
    expect(names(result.threeMonths.budget_statuses)).toEqual(['Next month', 'This month', 'Last month']);
    expect(result.threeMonths.budget_statuses).toEqual(result.threeMonthsBudgets);
    // A range open at one end is still a range: everything that has not ended before it.
    expect(names(result.fromToday.budget_statuses)).toEqual(['Next month', 'This month']);
  });

  it("takes today from the tenant's timezone, not the server's or UTC", async () => {
    // UTC+14 is a day ahead of UTC from 10:00 UTC on, UTC-11 a day behind until 11:00 UTC: at
    // any hour at least one of them has a date other than UTC's, and a UTC "today" would list
    // its yesterday's or tomorrow's budget instead of today's.
    const zones = ['Pacific/Kiritimati', 'Pacific/Pago_Pago'];
    const seen: Array<{ zone: string; today: string; utc: string; listed: string[]; all: string[] }> = [];
    for (const zone of zones) {
      const result = await onOneLocalDay(
        zone,
        (today) => [
          { name: 'Yesterday', start: plusDays(today, -1), end: plusDays(today, -1) },
          { name: 'Today', start: today, end: today },
          { name: 'Tomorrow', start: plusDays(today, 1), end: plusDays(today, 1) },
        ],
        async (tenant) => {
          const utc = new Date().toISOString().slice(0, 10);
          return {
            utc,
            listed: names((await get<FullDashboard>(tenant, '/financial/dashboard')).budget_statuses),
            all: names(await get<BudgetStatus[]>(tenant, '/financial/dashboard/budgets')),
          };
        },
      );
      seen.push({ zone, ...result });
    }

    for (const { zone, listed, all } of seen) {
      expect({ zone, listed, all }).toEqual({
        zone,
        listed: ['Today'],
        all: ['Tomorrow', 'Today', 'Yesterday'],
      });
    }
    expect(seen.some((s) => s.today !== s.utc)).toBe(true);
  });
});
