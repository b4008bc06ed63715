import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { withTenant } from '../../../app/db/tenant-scope.js';
import { accountSummaries } from '../../../app/domain/dashboard/accounts.js';
import { budgetStatuses } from '../../../app/domain/dashboard/budgets.js';
import { fullDashboard } from '../../../app/domain/dashboard/dashboard.js';
import { financialSummary } from '../../../app/domain/dashboard/summary.js';
import { openDashboardData } from './dashboard-fixtures.js';

// fullDashboard: every part from one transaction; and nothing without a tenant in scope. Each part alone:
// summary, accounts, transactions and budgets.test.ts.

describe('dashboard domain queries on hand-built data', () => {
  let api: Knex;
  let kolkata: string; // Asia/Kolkata, base INR
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ api, kolkata, close } = await openDashboardData());
  });

  afterAll(async () => {
    await close();
  });

  const read = <T>(tenant: string, work: (trx: Knex.Transaction) => Promise<T>) =>
    withTenant(api, tenant, work, { readOnly: true });

  it('assembles the full dashboard from one transaction', async () => {
    const dashboard = await read(kolkata, (trx) => fullDashboard(trx, {}, { includeDescriptions: false }));
    expect(dashboard.tenant_info).toEqual({
      id: kolkata,
      name: 'dash-kolkata',
      type: 'organization',
      display_name: 'Tenant dash-kolkata',
      base_currency: 'INR',
      timezone: 'Asia/Kolkata',
    });
    expect(dashboard.financial_summary.total_balance).toEqual([
      { currency: 'INR', amount: '96200.00' },
      { currency: 'USD', amount: '-50.00' },
    ]);
    expect(dashboard.financial_summary.total_balance_converted).toEqual({
      currency: 'INR',
      amount: '96200.00',
      rates: {},
      missing_rates: ['USD'],
      complete: false,
    });
    expect(dashboard.account_summaries).toHaveLength(3);
    // Every budget of this tenant ended in 2024: none is in effect today, so none is listed…
    expect(dashboard.budget_statuses).toEqual([]);
    expect(dashboard.transaction_summary.total_transactions).toBe(9);
    // …while a range lists the budgets overlapping it, exactly as /budgets does.
    const february = { from: '2024-02-01', to: '2024-02-29' };
    const ranged = await read(kolkata, (trx) => fullDashboard(trx, february, { includeDescriptions: false }));
    expect(ranged.budget_statuses.map((b) => b.name)).toEqual([
      'Dollar groceries',
      'Feb everything',
      'Feb groceries',
      'One day',
      'Mid Jan to Mar 1',
    ]);
    expect(ranged.budget_statuses).toEqual(await read(kolkata, (trx) => budgetStatuses(trx, february)));
  });

  it('sees nothing without a tenant in scope, and only its own tenant with one', async () => {
    const bare = await api.transaction(async (trx) => ({
      accounts: (await trx('accounts').count<Array<{ count: number }>>('* as count'))[0]?.count,
      daily: (await trx('transaction_rollups_daily').count<Array<{ count: number }>>('* as count'))[0]?.count,
      monthly: (await trx('transaction_rollups_monthly').count<Array<{ count: number }>>('* as count'))[0]
        ?.count,
      budgets: (await trx('budgets').count<Array<{ count: number }>>('* as count'))[0]?.count,
    }));
    expect(bare).toEqual({ accounts: 0, daily: 0, monthly: 0, budgets: 0 });
    await expect(api.transaction((trx) => financialSummary(trx, {}))).rejects.toThrow(/no tenant in scope/);
    const accounts = await read(kolkata, (trx) => accountSummaries(trx));
    expect(accounts.map((a) => a.name).sort()).toEqual(['Current', 'Dollar card', 'Savings']);
  });
});
