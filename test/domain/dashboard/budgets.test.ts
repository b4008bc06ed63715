import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { withTenant } from '../../../app/db/tenant-scope.js';
import { budgetStatuses } from '../../../app/domain/dashboard/budgets.js';
import { openDashboardData } from './dashboard-fixtures.js';

// budgetStatuses: spending from posted expenses in the budget's currency, category and local days.

describe('dashboard domain queries on hand-built data', () => {
  let api: Knex;
  let la: string; // America/Los_Angeles, base USD
  let kolkata: string; // Asia/Kolkata, base INR
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ api, la, kolkata, close } = await openDashboardData());
  });

  afterAll(async () => {
    await close();
  });

  const read = <T>(tenant: string, work: (trx: Knex.Transaction) => Promise<T>) =>
    withTenant(api, tenant, work, { readOnly: true });

  it('derives budget spending from posted expenses in the budget currency, category and local days', async () => {
    const budgets = await read(kolkata, (trx) => budgetStatuses(trx, {}));
    const view = budgets.map((b) => [
      b.name,
      b.category,
      b.currency,
      b.total_amount,
      b.spent_amount,
      b.remaining,
      b.percentage_used,
      b.is_over_budget,
      b.start_date,
      b.end_date,
    ]);
    expect(view).toEqual(
      [
        [
          'Mid Jan to Mar 1',
          'groceries',
          'INR',
          '10000.00',
          '3300.00',
          '6700.00',
          '33.00',
          false,
          '2024-01-15',
          '2024-03-01',
        ],
        [
          'Dollar groceries',
          'groceries',
          'USD',
          '40.00',
          '50.00',
          '-10.00',
          '125.00',
          true,
          '2024-02-01',
          '2024-02-29',
        ],
        [
          'Feb everything',
          null,
          'INR',
          '2000.00',
          '2500.00',
          '-500.00',
          '125.00',
          true,
          '2024-02-01',
          '2024-02-29',
        ],
        [
          'Feb groceries',
          'groceries',
          'INR',
          '2500.00',
          '2000.00',
          '500.00',
          '80.00',
          false,
          '2024-02-01',
          '2024-02-29',
        ],
        [
          'One day',
          'groceries',
          'INR',
          '3000.00',
          '2000.00',
          '1000.00',
          '66.67',
          false,
          '2024-02-01',
          '2024-02-01',
        ],
        [
          'Inside January',
          'groceries',
          'INR',
          '500.00',
          '1000.00',
          '-500.00',
          '200.00',
          true,
          '2024-01-10',
          '2024-01-31',
        ],
      ].sort((a, b) => String(b[8]).localeCompare(String(a[8])) || String(a[0]).localeCompare(String(b[0]))),
    );

    const march = await read(kolkata, (trx) => budgetStatuses(trx, { from: '2024-03-01' }));
    expect(march.map((b) => b.name)).toEqual(['Mid Jan to Mar 1']);
    const yen = await read(la, (trx) => budgetStatuses(trx, {}));
    expect(yen).toEqual([
      expect.objectContaining({
        name: 'Yen food',
        total_amount: '1000',
        spent_amount: '1500',
        remaining: '-500',
        percentage_used: '150.00',
        is_over_budget: true,
      }),
    ]);
  });
});
