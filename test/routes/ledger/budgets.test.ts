import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startLedgerApp, type LedgerApp, type LedgerClient, type TestTenant } from './client.js';

describe('/financial/budgets', () => {
  let t: LedgerApp;
  let tenant: TestTenant;
  let admin: LedgerClient;
  const travel = {
    name: 'Travel 2027',
    category: 'travel',
    currency: 'CHF',
    total_amount: '2500',
    start_date: '2027-01-01',
    end_date: '2027-12-31',
  };

  beforeAll(async () => {
    t = await startLedgerApp();
    tenant = await t.createTenant();
    admin = t.client(tenant.tokens.admin);
  });
  afterAll(async () => t.close());

  it('creates, reads, updates, lists and deletes a budget with exact bodies', async () => {
    const created = await admin.post('/financial/budgets', travel);
    expect(created.statusCode).toBe(201);
    const budget = created.json();
    expect(budget).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Travel 2027',
      category: 'travel',
      currency: 'CHF',
      total_amount: '2500.00',
      start_date: '2027-01-01',
      end_date: '2027-12-31',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(created.headers.location).toBe(`/financial/budgets/${budget.id}`);
    const analyst = t.client(tenant.tokens.analyst);
    expect((await analyst.get(`/financial/budgets/${budget.id}`)).json()).toEqual(budget);

    const patched = await admin.patch(`/financial/budgets/${budget.id}`, {
      total_amount: '3000.5',
      category: null,
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ total_amount: '3000.50', category: null, name: 'Travel 2027' });

    const all = await admin.post('/financial/budgets', {
      ...travel,
      name: 'Everything',
      category: undefined,
    });
    expect(all.json().category).toBeNull();
    const list = await analyst.get('/financial/budgets?limit=1');
    expect(list.json()).toEqual({
      data: [expect.objectContaining({ id: budget.id })],
      next_cursor: expect.any(String),
    });
    const page2 = await analyst.get(`/financial/budgets?limit=1&cursor=${list.json().next_cursor}`);
    expect(page2.json()).toEqual({
      data: [expect.objectContaining({ name: 'Everything' })],
      next_cursor: null,
    });

    const del = await admin.delete(`/financial/budgets/${budget.id}`);
    expect([del.statusCode, del.body]).toEqual([204, '']);
    expect((await analyst.get(`/financial/budgets/${budget.id}`)).statusCode).toBe(404);
    expect((await admin.delete(`/financial/budgets/${budget.id}`)).statusCode).toBe(404);
    const audit = await t.superuser('audit_events').where({ resource_id: budget.id }).orderBy('occurred_at');
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'budget.create',
      'budget.update',
      'budget.delete',
    ]);
  });

  it('refuses bad budgets with a 400 naming the field, writing nothing', async () => {
    const before = await t.counts();
    const cases: Array<[unknown, string]> = [
      [{ ...travel, total_amount: 2500 }, 'total_amount'],
      [{ ...travel, total_amount: '0' }, 'total_amount'],
      [{ ...travel, total_amount: '12.345' }, 'total_amount'],
      [{ ...travel, total_amount: '1000000000000000' }, 'total_amount'],
      [{ ...travel, currency: 'CHFF' }, 'currency'],
      [{ ...travel, currency: 'ZZZ' }, 'currency'],
      [{ ...travel, start_date: '2027-02-29' }, 'start_date'],
      [{ ...travel, start_date: '01/01/2027' }, 'start_date'],
      [{ ...travel, end_date: '2026-12-31' }, 'end_date'],
      [{ ...travel, name: '' }, 'name'],
      [{ ...travel, category: 7 }, 'category'],
      [{ ...travel, spent_amount: '10' }, 'spent_amount'],
      [{ name: 'x', currency: 'USD', total_amount: '1', start_date: '2027-01-01' }, 'end_date'],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post('/financial/budgets', body);
      expect({ body, status: res.statusCode, field: res.json().field }).toEqual({ body, status: 400, field });
    }
    const id = (await admin.post('/financial/budgets', travel)).json().id;
    const afterOne = await t.counts();
    for (const [body, field] of [
      [{ currency: 'JPY' }, 'total_amount'],
      [{ start_date: '2028-01-01' }, 'end_date'],
      [{ total_amount: null }, 'total_amount'],
      [{ owner: 'me' }, 'owner'],
    ] as Array<[unknown, string]>) {
      const res = await admin.patch(`/financial/budgets/${id}`, body);
      expect({ body, status: res.statusCode, field: res.json().field }).toEqual({ body, status: 400, field });
    }
    expect((await admin.patch(`/financial/budgets/${id}`, {})).statusCode).toBe(400);
    expect(await t.counts()).toEqual(afterOne);
    expect(afterOne.budgets).toBe(before.budgets + 1);
  });

  it('refuses whitespace-only names and categories with a 400 naming the field', async () => {
    const before = await t.counts();
    for (const [body, field] of [
      [{ ...travel, name: '   ' }, 'name'],
      [{ ...travel, name: '\t\n' }, 'name'],
      [{ ...travel, category: ' ' }, 'category'],
    ] as Array<[unknown, string]>) {
      const res = await admin.post('/financial/budgets', body);
      expect({ body, status: res.statusCode, field: res.json().field }).toEqual({ body, status: 400, field });
    }
    expect(await t.counts()).toEqual(before);
  });

  it('stores SQL-looking names verbatim', async () => {
    const name = 'budget"; DROP TABLE budgets; --';
    const res = await admin.post('/financial/budgets', { ...travel, name });
    expect((await admin.get(`/financial/budgets/${res.json().id}`)).json().name).toBe(name);
  });
});
