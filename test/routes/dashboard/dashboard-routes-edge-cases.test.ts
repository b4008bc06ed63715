import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { bearer, startTestApp, type TestApp, type TestTenant } from '../../harness/app.js';
import { seedDashboardRoutes } from './dashboard-routes-fixtures.js';

// The dashboard routes at their edges: an empty tenant, a bad range on every endpoint, no token.

describe('dashboard routes', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let empty: TestTenant;

  beforeAll(async () => {
    t = await startTestApp();
    ({ tenant, empty } = await seedDashboardRoutes(t));
  });
  afterAll(async () => t.close());

  const get = (url: string, token = tenant.tokens.viewer) =>
    t.app.inject({ method: 'GET', url, headers: bearer(token) });

  it('answers an empty tenant with zeros, not errors', async () => {
    const res = await get('/financial/dashboard', empty.tokens.viewer);
    expect(res.statusCode).toBe(200);
    expect(res.json().financial_summary).toMatchObject({
      total_balance: [],
      total_balance_converted: { currency: 'JPY', amount: '0', rates: {}, missing_rates: [], complete: true },
      total_transactions: 0,
    });
    expect(res.json().transaction_summary).toMatchObject({
      monthly_trend: [],
      recent_transactions: [],
      by_category: [],
    });
  });

  it('rejects a bad range with a 400 naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['from=2024-02-30', 'from'],
      ['to=yesterday', 'to'],
      ['from=2024-03-02&to=2024-03-01', 'to'],
      ['from=2024-03-01T00:00:00Z&to=2024-02-29T00:00:00Z', 'to'],
      ['since=2024-01-01', 'since'],
    ];
    for (const endpoint of ['', '/summary', '/transactions', '/budgets']) {
      for (const [query, field] of cases) {
        const res = await get(`/financial/dashboard${endpoint}?${query}`);
        expect({ endpoint, query, status: res.statusCode, field: res.json().field }).toEqual({
          endpoint,
          query,
          status: 400,
          field,
        });
      }
    }
    // No cap on the span: an open end already reaches all history, at the same cost.
    expect((await get('/financial/dashboard/summary?from=2019-01-01&to=2024-01-02')).statusCode).toBe(200);
  });

  it('requires a token', async () => {
    const res = await t.app.inject({ url: '/financial/dashboard' });
    expect(res.statusCode).toBe(401);
  });
});
