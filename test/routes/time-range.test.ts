import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { bearer, startTestApp, type TestApp, type TestTenant } from '../harness/app.js';

/**
 * Every from/to takes the same values with the same meaning: a day (YYYY-MM-DD, the tenant's
 * calendar; `from` is its first instant, `to` includes it) or an RFC 3339 date-time with an
 * offset (`from` inclusive, `to` exclusive). The tenant is in Kolkata (UTC+05:30), so a local
 * day and the UTC day of the same date differ.
 */
describe('from/to on every endpoint', () => {
  let t: TestApp;
  let tenant: TestTenant;

  // Posted USD expenses; the amounts are powers of two so every sum names its rows.
  const ENTRIES: Array<[amount: string, occurredAt: string]> = [
    ['16.00', '2026-03-31T18:00:00Z'], // local 2026-03-31 23:30
    ['1.00', '2026-03-31T20:00:00Z'], // local 2026-04-01 01:30
    ['2.00', '2026-04-01T10:00:00Z'], // local 2026-04-01 15:30
    ['4.00', '2026-04-02T12:00:00Z'], // local 2026-04-02 17:30
    ['8.00', '2026-04-30T19:00:00Z'], // local 2026-05-01 00:30
  ];

  const get = (url: string, token = tenant.tokens.admin) => t.app.inject({ url, headers: bearer(token) });

  /** Amounts the transactions list returns for a query, newest first. */
  async function listed(query: string): Promise<string[]> {
    const res = await get(`/financial/transactions?${query}`);
    expect([query, res.statusCode]).toEqual([query, 200]);
    return res.json<{ data: Array<{ amount: string }> }>().data.map((x) => x.amount);
  }

  /** What the dashboard counts for a query: transactions, USD expenses, recent amounts. */
  async function dashboard(query: string): Promise<{ count: number; expenses: string; recent: string[] }> {
    const res = await get(`/financial/dashboard/transactions?${query}`);
    expect([query, res.statusCode]).toEqual([query, 200]);
    const body = res.json<{
      total_transactions: number;
      expenses: Array<{ currency: string; amount: string }>;
      recent_transactions: Array<{ amount: string }>;
    }>();
    return {
      count: body.total_transactions,
      expenses: body.expenses.find((e) => e.currency === 'USD')?.amount ?? '0.00',
      recent: body.recent_transactions.map((x) => x.amount),
    };
  }

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await t.createTenant({ timezone: 'Asia/Kolkata' });
    const account = (
      await t.app.inject({
        method: 'POST',
        url: '/financial/accounts',
        headers: bearer(tenant.tokens.admin),
        payload: { name: 'card', account_type: 'credit_card', currency: 'USD' },
      })
    ).json<{ id: string }>().id;
    const res = await t.app.inject({
      method: 'POST',
      url: '/financial/transactions/batch',
      headers: bearer(tenant.tokens.admin),
      payload: {
        transactions: ENTRIES.map(([amount, occurred_at]) => ({
          account_id: account,
          amount,
          currency: 'USD',
          transaction_type: 'expense',
          category: 'misc',
          occurred_at,
        })),
      },
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(async () => t.close());

  it('reads a day as the tenant-local day, `to` included, on the lists and the dashboard alike', async () => {
    expect(await listed('from=2026-04-01&to=2026-04-01')).toEqual(['2.00', '1.00']);
    expect(await dashboard('from=2026-04-01&to=2026-04-01')).toEqual({
      count: 2,
      expenses: '3.00',
      recent: ['2.00', '1.00'],
    });
    expect(await listed('from=2026-04-02')).toEqual(['8.00', '4.00']);
    expect(await listed('to=2026-03-31')).toEqual(['16.00']);
  });

  it('reads a date-time as that instant, `to` excluded, on the dashboard as on the lists', async () => {
    // Equal instants (written with different offsets) are an empty range, not an error.
    const empty = `from=${encodeURIComponent('2026-04-01T00:00:00+05:30')}&to=2026-03-31T18:30:00Z`;
    expect(await listed(empty)).toEqual([]);
    expect(await dashboard(empty)).toEqual({ count: 0, expenses: '0.00', recent: [] });
    // The local day 2026-04-01 written as instants: the same rows as the day.
    const sameDay = `from=2026-03-31T18:30:00Z&to=${encodeURIComponent('2026-04-02T00:00:00+05:30')}`;
    expect(await listed(sameDay)).toEqual(['2.00', '1.00']);
    expect(await dashboard(sameDay)).toEqual({ count: 2, expenses: '3.00', recent: ['2.00', '1.00'] });
    // Instants inside a day (they cut the local days 2026-04-01 and 2026-04-02 in two).
    const partial = 'from=2026-04-01T00:00:00Z&to=2026-04-02T12:00:00Z';
    expect(await listed(partial)).toEqual(['2.00']);
    expect(await dashboard(partial)).toEqual({ count: 1, expenses: '2.00', recent: ['2.00'] });
    // Across whole months: the partial edge days plus the whole days in between.
    const wide = 'from=2026-03-31T19:00:00Z&to=2026-04-30T19:00:01Z';
    expect(await listed(wide)).toEqual(['8.00', '4.00', '2.00', '1.00']);
    expect(await dashboard(wide)).toEqual({
      count: 4,
      expenses: '15.00',
      recent: ['8.00', '4.00', '2.00', '1.00'],
    });
  });

  it('mixes a day and a date-time in one range', async () => {
    expect(await listed('from=2026-04-01&to=2026-04-02T12:00:00Z')).toEqual(['2.00', '1.00']);
    expect(await dashboard('from=2026-04-01&to=2026-04-02T12:00:00Z')).toMatchObject({ expenses: '3.00' });
    expect(await listed('from=2026-04-01T12:00:00Z&to=2026-04-02')).toEqual(['4.00']);
    expect(await dashboard('from=2026-04-01T12:00:00Z&to=2026-04-02')).toMatchObject({ expenses: '4.00' });
  });

  it('takes the same values on the audit log', async () => {
    const audit = async (query: string) => {
      const res = await get(`/financial/audit?${query}`);
      expect([query, res.statusCode]).toEqual([query, 200]);
      return res.json<{ data: unknown[] }>().data.length;
    };
    expect(await audit('from=2000-01-01')).toBeGreaterThan(0);
    expect(await audit('to=2000-01-01')).toBe(0);
    expect(await audit('from=2000-01-01T00:00:00Z')).toBeGreaterThan(0);
  });

  it('refuses a bad value with the same 400 naming the field on every endpoint', async () => {
    const cases: Array<[query: string, field: string]> = [
      ['from=2026-04-31', 'from'],
      ['to=yesterday', 'to'],
      ['from=2026-04-01T25:00:00Z', 'from'],
      ['to=2026-04-01T12:00:00', 'to'],
      ['to=2026-04-01T12:00:00.123456Z', 'to'],
      ['from=2026-04-02&to=2026-04-01', 'to'],
      ['from=2026-04-02T00:00:00Z&to=2026-04-01T00:00:00Z', 'to'],
      ['from=2026-04-02&to=2026-04-01T12:00:00Z', 'to'],
    ];
    for (const path of [
      '/financial/transactions',
      '/financial/audit',
      '/financial/dashboard',
      '/financial/dashboard/summary',
      '/financial/dashboard/transactions',
      '/financial/dashboard/budgets',
    ]) {
      for (const [query, field] of cases) {
        const res = await get(`${path}?${query}`);
        const body = res.json<{ statusCode: number; error: string; message: string; field?: string }>();
        expect({ path, query, status: res.statusCode, field: body.field }).toEqual({
          path,
          query,
          status: 400,
          field,
        });
        expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
      }
      // A value of neither form is told both rules, not only the first one's.
      const neither = (await get(`${path}?to=yesterday`)).json<{ message: string }>().message;
      expect(neither).toMatch(/^querystring\.to must match pattern ".+" or must match pattern ".+T.+"$/);
    }
  });

  it('documents one schema for every from/to in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json<{
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema: unknown }> }>>;
    }>();
    const schemas: Array<[string, unknown]> = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const op of Object.values(methods)) {
        for (const p of op.parameters ?? []) {
          if (p.name === 'from' || p.name === 'to') schemas.push([`${path} ${p.name}`, p.schema]);
        }
      }
    }
    expect(schemas.map(([where]) => where).sort()).toEqual(
      [
        '/financial/audit',
        '/financial/dashboard',
        '/financial/dashboard/budgets',
        '/financial/dashboard/summary',
        '/financial/dashboard/transactions',
        '/financial/transactions',
      ]
        .flatMap((p) => [`${p} from`, `${p} to`])
        .sort(),
    );
    const [[, first]] = schemas as [[string, unknown]];
    for (const [where, schema] of schemas) expect([where, schema]).toEqual([where, first]);
  });
});
