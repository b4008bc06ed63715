import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { withTenant } from '../../../app/db/tenant-scope.js';
import { transactionSummary } from '../../../app/domain/dashboard/transactions.js';
import { openDashboardData } from './dashboard-fixtures.js';

// transactionSummary: posted totals per currency, by category, the monthly trend and recent rows, over a
// range of local days.

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

  it('totals posted income and expenses per currency, leaving transfers, pending and void out', async () => {
    const summary = await read(la, (trx) => transactionSummary(trx, {}, { includeDescriptions: true }));
    expect(summary.total_transactions).toBe(16);
    expect(summary.pending_transactions).toBe(1);
    expect(summary.total_amount).toEqual([
      { currency: 'EUR', amount: '99.99' },
      { currency: 'JPY', amount: '11500' },
      { currency: 'KWD', amount: '1.735' },
      { currency: 'USD', amount: '6901.25' },
    ]);
    expect(summary.avg_amount).toEqual([
      { currency: 'EUR', amount: '99.99' },
      { currency: 'JPY', amount: '5750' },
      { currency: 'KWD', amount: '0.868' }, // 0.8675 rounds half away from zero
      { currency: 'USD', amount: '862.66' }, // 6901.25 / 8 = 862.65625
    ]);
    expect(summary.income).toEqual([
      { currency: 'EUR', amount: '0.00' },
      { currency: 'JPY', amount: '10000' },
      { currency: 'KWD', amount: '1.235' },
      { currency: 'USD', amount: '5100.00' },
    ]);
    expect(summary.expenses).toEqual([
      { currency: 'EUR', amount: '99.99' },
      { currency: 'JPY', amount: '1500' },
      { currency: 'KWD', amount: '0.500' },
      { currency: 'USD', amount: '1801.25' },
    ]);
    expect(summary.by_category).toEqual([
      { category: 'travel', currency: 'EUR', amount: '99.99', count: 1 },
      { category: 'food', currency: 'JPY', amount: '1500', count: 1 },
      { category: 'fees', currency: 'KWD', amount: '0.500', count: 1 },
      { category: 'rent', currency: 'USD', amount: '1500.00', count: 1 },
      { category: 'groceries', currency: 'USD', amount: '201.00', count: 2 },
      { category: 'utilities', currency: 'USD', amount: '60.00', count: 1 },
      { category: 'coffee', currency: 'USD', amount: '40.25', count: 2 },
    ]);
    // Twelve months ending with this month; only USD moved in that window.
    expect(summary.monthly_trend).toHaveLength(12);
    expect(summary.monthly_trend.at(-1)).toEqual({
      month: thisMonth,
      currency: 'USD',
      income: '100.00',
      expenses: '30.25',
      net: '69.75',
      count: 2,
    });
    expect(summary.monthly_trend.at(-2)).toMatchObject({
      currency: 'USD',
      income: '0.00',
      expenses: '10.00',
      net: '-10.00',
      count: 1,
    });
    expect(summary.monthly_trend.slice(0, 10).every((p) => p.count === 0 && p.net === '0.00')).toBe(true);
    expect(summary.recent_transactions.map((r) => [r.category, r.amount, r.currency, r.status])).toEqual([
      ['coffee', '30.25', 'USD', 'posted'],
      ['refund', '100.00', 'USD', 'posted'],
      ['coffee', '10.00', 'USD', 'posted'],
      ['utilities', '60.00', 'USD', 'posted'],
      ['fees', '0.500', 'KWD', 'posted'],
      ['interest', '1.235', 'KWD', 'posted'],
      ['rent', '1500.00', 'USD', 'posted'],
      ['gift', '10000', 'JPY', 'posted'],
      ['food', '1500', 'JPY', 'posted'],
      ['transfer', '200.00', 'USD', 'posted'],
    ]);
    expect(summary.recent_transactions[0]).toHaveProperty('description', '');
  });

  it('restricts totals, trend and recent rows to the range, by local day', async () => {
    const feb = await read(la, (trx) =>
      transactionSummary(trx, { from: '2024-02-01', to: '2024-02-29' }, { includeDescriptions: false }),
    );
    expect(feb.total_transactions).toBe(6);
    expect(feb.income).toEqual([
      { currency: 'JPY', amount: '10000' },
      { currency: 'USD', amount: '0.00' },
    ]);
    expect(feb.expenses).toEqual([
      { currency: 'JPY', amount: '1500' },
      { currency: 'USD', amount: '80.45' },
    ]);
    expect(feb.monthly_trend).toEqual([
      { month: '2024-02', currency: 'JPY', income: '10000', expenses: '1500', net: '8500', count: 2 },
      { month: '2024-02', currency: 'USD', income: '0.00', expenses: '80.45', net: '-80.45', count: 4 },
    ]);
    expect(feb.recent_transactions.map((r) => [r.category, r.amount, r.occurred_at])).toEqual([
      ['gift', '10000', '2024-03-01T07:59:59.000Z'],
      ['food', '1500', '2024-02-20T03:00:00.000Z'],
      ['transfer', '200.00', '2024-02-15T12:00:00.000Z'],
      ['transfer', '200.00', '2024-02-15T12:00:00.000Z'],
      ['dining', '45.10', '2024-02-10T12:00:00.000Z'],
      ['groceries', '80.45', '2024-02-01T08:30:00.000Z'],
    ]);
    for (const row of feb.recent_transactions) expect(row).not.toHaveProperty('description');

    const span = await read(la, (trx) =>
      transactionSummary(trx, { from: '2024-01-31', to: '2024-03-01' }, { includeDescriptions: false }),
    );
    expect(span.monthly_trend.map((p) => [p.month, p.currency, p.income, p.expenses, p.count])).toEqual([
      ['2024-01', 'JPY', '0', '0', 0],
      ['2024-01', 'USD', '5000.00', '120.55', 2],
      ['2024-02', 'JPY', '10000', '1500', 2],
      ['2024-02', 'USD', '0.00', '80.45', 4],
      ['2024-03', 'JPY', '0', '0', 0],
      ['2024-03', 'USD', '0.00', '1500.00', 1],
    ]);
  });
});
