import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { FullDashboard, TransactionSummary } from '../../../app/domain/dashboard/types.js';
import { bearer, startTestApp, type TestApp, type TestTenant } from '../../harness/app.js';
import { seedDashboardRoutes, type DashboardRoutesData } from './dashboard-routes-fixtures.js';

// Each dashboard route's answer on the seeded tenant, and GET / as the sum of the parts. An empty tenant, bad
// ranges and a missing token: dashboard-routes-edge-cases.test.ts.

describe('dashboard routes', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let thisMonth: string;
  let ids: DashboardRoutesData['ids'];

  beforeAll(async () => {
    t = await startTestApp();
    ({ tenant, thisMonth, ids } = await seedDashboardRoutes(t));
  });
  afterAll(async () => t.close());

  const get = (url: string, token = tenant.tokens.viewer) =>
    t.app.inject({ method: 'GET', url, headers: bearer(token) });

  it('GET /summary', async () => {
    const res = await get('/financial/dashboard/summary');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      total_balance: [
        { currency: 'JPY', amount: '-3000' },
        { currency: 'USD', amount: '2447.66' },
      ],
      // USD has a rate to EUR (0.92 → 2251.8472); JPY has none and is not counted.
      total_balance_converted: {
        currency: 'EUR',
        amount: '2251.85',
        rates: { USD: '0.92' },
        missing_rates: ['JPY'],
        complete: false,
      },
      total_accounts: 3,
      active_accounts: 3,
      total_transactions: 7,
      pending_transactions: 1,
      this_month: thisMonth,
      this_month_amount: [
        { currency: 'JPY', amount: '-3000' },
        { currency: 'USD', amount: '2487.66' },
      ],
      this_month_income: [
        { currency: 'JPY', amount: '0' },
        { currency: 'USD', amount: '2500.00' },
      ],
      this_month_expenses: [
        { currency: 'JPY', amount: '3000' },
        { currency: 'USD', amount: '12.34' },
      ],
    });
  });

  it('GET /accounts', async () => {
    const res = await get('/financial/dashboard/accounts');
    expect(res.statusCode).toBe(200);
    const body = res.json<Array<{ name: string; balance: string; currency: string; is_active: boolean }>>();
    expect(body.map((a) => [a.name, a.balance, a.currency, a.is_active]).sort()).toEqual([
      ['Checking', '1947.66', 'USD', true],
      ['Savings', '500.00', 'USD', true],
      ['Yen', '-3000', 'JPY', true],
    ]);
  });

  it('GET /transactions, with descriptions only for roles that may read transactions', async () => {
    const analyst = await get('/financial/dashboard/transactions', tenant.tokens.analyst);
    expect(analyst.statusCode).toBe(200);
    const body = analyst.json<TransactionSummary>();
    expect(body).toMatchObject({
      total_transactions: 7,
      pending_transactions: 1,
      total_amount: [
        { currency: 'JPY', amount: '3000' },
        { currency: 'USD', amount: '2552.34' },
      ],
      avg_amount: [
        { currency: 'JPY', amount: '3000' },
        { currency: 'USD', amount: '850.78' },
      ],
      income: [
        { currency: 'JPY', amount: '0' },
        { currency: 'USD', amount: '2500.00' },
      ],
      expenses: [
        { currency: 'JPY', amount: '3000' },
        { currency: 'USD', amount: '52.34' },
      ],
      by_category: [
        { category: 'food', currency: 'JPY', amount: '3000', count: 1 },
        { category: 'fuel', currency: 'USD', amount: '40.00', count: 1 },
        { category: 'coffee', currency: 'USD', amount: '12.34', count: 1 },
      ],
    });
    expect(body.monthly_trend).toHaveLength(24); // 12 months × 2 currencies
    expect(body.monthly_trend.filter((p) => p.month === thisMonth)).toEqual([
      { month: thisMonth, currency: 'JPY', income: '0', expenses: '3000', net: '-3000', count: 1 },
      { month: thisMonth, currency: 'USD', income: '2500.00', expenses: '12.34', net: '2487.66', count: 5 },
    ]);
    expect(body.recent_transactions.map((r) => [r.category, r.description])).toEqual([
      ['food', 'Ramen'],
      ['transfer', ''],
      ['transfer', ''],
      ['coffee', ''],
      ['coffee', 'Bean There'],
      ['salary', 'Payroll'],
      ['fuel', ''],
    ]);
    // The viewer asks second: the analyst's cached answer (with descriptions) must not be served.
    const viewer = await get('/financial/dashboard/transactions', tenant.tokens.viewer);
    expect(viewer.statusCode).toBe(200);
    const recent = viewer.json().recent_transactions as Array<Record<string, unknown>>;
    expect(recent).toHaveLength(7);
    for (const row of recent) expect(row).not.toHaveProperty('description');
  });

  it('GET /budgets', async () => {
    const res = await get('/financial/dashboard/budgets');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      {
        budget_id: ids.budget,
        name: 'Coffee',
        category: 'coffee',
        currency: 'USD',
        total_amount: '10.00',
        spent_amount: '12.34',
        remaining: '-2.34',
        percentage_used: '123.40',
        is_over_budget: true,
        start_date: '2020-01-01',
        end_date: '2099-12-31',
      },
    ]);
    expect((await get('/financial/dashboard/budgets?to=2019-12-31')).json()).toEqual([]);
  });

  it('GET / assembles every part and the tenant', async () => {
    const res = await get('/financial/dashboard');
    expect(res.statusCode).toBe(200);
    const body = res.json<FullDashboard>();
    expect(Object.keys(body).sort()).toEqual([
      'account_summaries',
      'budget_statuses',
      'financial_summary',
      'tenant_info',
      'transaction_summary',
    ]);
    expect(body.tenant_info).toEqual({
      id: tenant.id,
      name: 'routes-la',
      type: 'organization',
      display_name: 'Tenant routes-la',
      base_currency: 'EUR',
      timezone: 'America/Los_Angeles',
    });
    expect(body.financial_summary).toEqual((await get('/financial/dashboard/summary')).json());
    expect(body.budget_statuses).toEqual((await get('/financial/dashboard/budgets')).json());
    expect(body.transaction_summary).toEqual((await get('/financial/dashboard/transactions')).json());
    expect(body.account_summaries).toEqual((await get('/financial/dashboard/accounts')).json());
  });
});
