import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { withTenant } from '../../../app/db/tenant-scope.js';
import { financialSummary } from '../../../app/domain/dashboard/summary.js';
import { openDashboardData } from './dashboard-fixtures.js';

// financialSummary: balances per currency, their conversion, counts and this month, over a range of local
// days.

describe('dashboard domain queries on hand-built data', () => {
  let api: Knex;
  let la: string; // America/Los_Angeles, base USD
  let thisMonth: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ api, la, thisMonth, close } = await openDashboardData());
  });

  afterAll(async () => {
    await close();
  });

  const read = <T>(tenant: string, work: (trx: Knex.Transaction) => Promise<T>) =>
    withTenant(api, tenant, work, { readOnly: true });

  it('summarises balances per currency, converts with the rates it states, and counts non-void rows', async () => {
    const summary = await read(la, (trx) => financialSummary(trx, {}));
    expect(summary).toEqual({
      total_balance: [
        { currency: 'EUR', amount: '-99.99' },
        { currency: 'JPY', amount: '8500' },
        { currency: 'KWD', amount: '0.735' },
        { currency: 'USD', amount: '3298.75' },
      ],
      // 3298.75 + (-99.99 × 1.1) + 8500 × 0.0066666667 = 3245.42766695; KWD has no rate.
      total_balance_converted: {
        currency: 'USD',
        amount: '3245.43',
        rates: { EUR: '1.1', JPY: '0.0066666667' },
        missing_rates: ['KWD'],
        complete: false,
      },
      total_accounts: 5,
      active_accounts: 4,
      total_transactions: 16,
      pending_transactions: 1,
      this_month: thisMonth,
      this_month_amount: [{ currency: 'USD', amount: '69.75' }],
      this_month_income: [{ currency: 'USD', amount: '100.00' }],
      this_month_expenses: [{ currency: 'USD', amount: '30.25' }],
    });
  });

  it('counts only the days of the range, in the tenant timezone', async () => {
    const feb = await read(la, (trx) => financialSummary(trx, { from: '2024-02-01', to: '2024-02-29' }));
    expect([feb.total_transactions, feb.pending_transactions]).toEqual([6, 1]);
    const edges = await read(la, (trx) => financialSummary(trx, { from: '2024-01-31', to: '2024-03-01' }));
    expect(edges.total_transactions).toBe(9);
    const openEnd = await read(la, (trx) => financialSummary(trx, { from: '2024-03-02' }));
    expect(openEnd.total_transactions).toBe(6); // KWD ×2, utilities, and the three around this month
  });
});
