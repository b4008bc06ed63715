import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { ActorContext } from '../../../app/domain/context.js';
import {
  daysAgo,
  startLedgerApp,
  type LedgerApp,
  type LedgerClient,
  type PageBody,
  type TestTenant,
} from './client.js';

describe('/financial/accounts', () => {
  let t: LedgerApp;
  let tenant: TestTenant;
  let admin: LedgerClient;

  beforeAll(async () => {
    t = await startLedgerApp();
    tenant = await t.createTenant();
    admin = t.client(tenant.tokens.admin);
  });
  afterAll(async () => t.close());

  it('creates (201 + Location), reads, updates, deactivates and lists an account with exact bodies', async () => {
    const created = await admin.post('/financial/accounts', {
      name: 'Everyday',
      account_type: 'checking',
      currency: 'EUR',
    });
    expect(created.statusCode).toBe(201);
    const account = created.json();
    expect(account).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Everyday',
      account_type: 'checking',
      currency: 'EUR',
      balance: '0.00',
      is_active: true,
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    expect(created.headers.location).toBe(`/financial/accounts/${account.id}`);

    const read = await admin.get(`/financial/accounts/${account.id}`);
    expect([read.statusCode, read.json()]).toEqual([200, account]);

    const patched = await admin.patch(`/financial/accounts/${account.id}`, {
      name: 'Bills',
      account_type: 'savings',
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      id: account.id,
      name: 'Bills',
      account_type: 'savings',
      currency: 'EUR',
    });

    const deactivated = await admin.post(`/financial/accounts/${account.id}/deactivate`);
    expect([deactivated.statusCode, deactivated.json().is_active]).toEqual([200, false]);
    const reactivated = await admin.patch(`/financial/accounts/${account.id}`, { is_active: true });
    expect(reactivated.json().is_active).toBe(true);

    const analyst = t.client(tenant.tokens.analyst);
    const list = await analyst.get('/financial/accounts?is_active=true&currency=EUR');
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({
      data: [expect.objectContaining({ id: account.id, name: 'Bills' })],
      next_cursor: null,
    });
  });

  it('paginates with an opaque cursor, every account once', async () => {
    const other = await t.createTenant();
    const client = t.client(other.tokens.admin);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push(
        (
          await client.post('/financial/accounts', { name: `a${i}`, account_type: 'cash', currency: 'JPY' })
        ).json<{ id: string }>().id,
      );
    }
    const seen: string[] = [];
    let url = '/financial/accounts?limit=2';
    for (;;) {
      const page = (await client.get(url)).json<PageBody<{ id: string }>>();
      seen.push(...page.data.map((a) => a.id));
      if (!page.next_cursor) break;
      url = `/financial/accounts?limit=2&cursor=${encodeURIComponent(page.next_cursor)}`;
    }
    expect(seen).toEqual(ids);
  });

  it('refuses bad input with a 400 naming the field, writing nothing', async () => {
    const before = await t.counts();
    const cases: Array<[unknown, string]> = [
      [{ name: 123, account_type: 'cash', currency: 'USD' }, 'name'],
      [{ name: 'x', account_type: 'cash', currency: 840 }, 'currency'],
      [{ name: 'x', account_type: 'cash', currency: 'ABC' }, 'currency'],
      [{ name: 'x', account_type: 'cash', currency: 'usd' }, 'currency'],
      [{ name: 'x', account_type: 'vault', currency: 'USD' }, 'account_type'],
      [{ name: '', account_type: 'cash', currency: 'USD' }, 'name'],
      [{ name: 'x'.repeat(201), account_type: 'cash', currency: 'USD' }, 'name'],
      [{ name: 'a\u0000b', account_type: 'cash', currency: 'USD' }, 'name'],
      [{ account_type: 'cash', currency: 'USD' }, 'name'],
      [{ name: 'x', account_type: 'cash', currency: 'USD', balance: '1000000' }, 'balance'],
      [{ name: 'x', account_type: 'cash', currency: 'USD', tenant_id: tenant.id }, 'tenant_id'],
      [[], ''],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post('/financial/accounts', body);
      expect({ body, status: res.statusCode, field: res.json().field ?? '' }).toEqual({
        body,
        status: 400,
        field,
      });
      expect(res.json()).toEqual(
        expect.objectContaining({
          statusCode: 400,
          error: 'Bad Request',
          request_id: res.headers['x-request-id'],
        }),
      );
    }
    const malformed = await admin.post('/financial/accounts', '{"name": "x", ');
    expect(malformed.statusCode).toBe(400);
    const id = (
      await admin.post('/financial/accounts', { name: 'target', account_type: 'cash', currency: 'USD' })
    ).json().id;
    const afterOne = await t.counts();
    for (const [body, field] of [
      [{ is_active: 'false' }, 'is_active'],
      [{ is_active: 0 }, 'is_active'],
      [{ currency: 'EUR' }, 'currency'],
      [{ balance: '5' }, 'balance'],
      [{}, ''],
    ] as Array<[unknown, string]>) {
      const res = await admin.patch(`/financial/accounts/${id}`, body);
      expect({ body, status: res.statusCode, field: res.json().field ?? '' }).toEqual({
        body,
        status: 400,
        field,
      });
    }
    expect(await t.counts()).toEqual(afterOne);
    expect(afterOne.accounts).toBe(before.accounts + 1);
  });

  it('refuses whitespace-only names with a 400 naming the field, on create and update', async () => {
    const id = (
      await admin.post('/financial/accounts', { name: 'named', account_type: 'cash', currency: 'USD' })
    ).json().id;
    const before = await t.counts();
    for (const name of [' ', '   ', '\t\n', '\u00a0\u3000']) {
      const created = await admin.post('/financial/accounts', {
        name,
        account_type: 'cash',
        currency: 'USD',
      });
      expect({ name, status: created.statusCode, field: created.json().field }).toEqual({
        name,
        status: 400,
        field: 'name',
      });
      const updated = await admin.patch(`/financial/accounts/${id}`, { name });
      expect({ name, status: updated.statusCode, field: updated.json().field }).toEqual({
        name,
        status: 400,
        field: 'name',
      });
    }
    expect(await t.counts()).toEqual(before);
    expect((await admin.get(`/financial/accounts/${id}`)).json().name).toBe('named');
  });

  it('validates ids and list parameters', async () => {
    for (const url of ['/financial/accounts/not-a-uuid', "/financial/accounts/1'%20or%20'1'='1"]) {
      const res = await admin.get(url);
      expect([res.statusCode, res.json().field]).toEqual([400, 'id']);
    }
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=abc', 'limit'],
      ['cursor=bogus', 'cursor'],
      ['account_type=vault', 'account_type'],
      ['is_active=maybe', 'is_active'],
      ['sort=name', 'sort'],
    ]) {
      const res = await admin.get(`/financial/accounts?${query}`);
      expect({ query, status: res.statusCode, field: res.json().field }).toEqual({
        query,
        status: 400,
        field,
      });
    }
    const missing = await admin.get('/financial/accounts/00000000-0000-4000-8000-000000000000');
    expect(missing.json()).toMatchObject({
      statusCode: 404,
      message: 'account 00000000-0000-4000-8000-000000000000 not found',
    });
  });

  it('stores SQL-looking names verbatim and harmlessly', async () => {
    const name = "x'); DROP TABLE accounts; --";
    const res = await admin.post('/financial/accounts', { name, account_type: 'cash', currency: 'USD' });
    expect(res.statusCode).toBe(201);
    expect((await admin.get(`/financial/accounts/${res.json().id}`)).json().name).toBe(name);
    expect((await t.counts()).accounts).toBeGreaterThan(0);
  });

  it('deletes an unused account (204), but an account with transactions only deactivates (409)', async () => {
    const unused = (
      await admin.post('/financial/accounts', { name: 'tmp', account_type: 'cash', currency: 'USD' })
    ).json();
    const del = await admin.delete(`/financial/accounts/${unused.id}`);
    expect([del.statusCode, del.body]).toEqual([204, '']);
    expect((await admin.get(`/financial/accounts/${unused.id}`)).statusCode).toBe(404);

    const used = (
      await admin.post('/financial/accounts', { name: 'used', account_type: 'cash', currency: 'USD' })
    ).json();
    await admin.post('/financial/transactions', {
      account_id: used.id,
      amount: '1.00',
      currency: 'USD',
      transaction_type: 'income',
      occurred_at: daysAgo(1),
    });
    const refused = await admin.delete(`/financial/accounts/${used.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('deactivate it instead');
    expect((await admin.get(`/financial/accounts/${used.id}`)).json()).toMatchObject({
      balance: '1.00',
      is_active: true,
    });
  });

  it('answers 429 with a clear message at limits.maxAccounts', async () => {
    const small = await t.createTenant({ limits: { maxAccounts: 1 } });
    const client = t.client(small.tokens.admin);
    expect(
      (await client.post('/financial/accounts', { name: 'one', account_type: 'cash', currency: 'USD' }))
        .statusCode,
    ).toBe(201);
    const res = await client.post('/financial/accounts', {
      name: 'two',
      account_type: 'cash',
      currency: 'USD',
    });
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({
      error: 'Too Many Requests',
      message: expect.stringMatching(/already has 1 active accounts, its limit \(limits.maxAccounts\) is 1/),
    });
    expect((await client.get('/financial/accounts')).json().data).toHaveLength(1);
  });

  it('invalidates the tenant dashboard cache after each write', async () => {
    const cached = await t.createTenant();
    const client = t.client(cached.tokens.admin);
    const ctx: ActorContext = {
      tenantId: cached.id,
      tenantName: cached.name,
      tenantType: cached.type,
      actor: 'test',
      role: 'admin',
    };
    let computed = 0;
    const probe = () => t.dashboardCache.getOrCompute(ctx, 'probe', async () => ++computed);
    expect([await probe(), await probe()]).toEqual([1, 1]);
    const created = await client.post('/financial/accounts', {
      name: 'c',
      account_type: 'cash',
      currency: 'USD',
    });
    expect(await probe()).toBe(2);
    await client.patch(`/financial/accounts/${created.json().id}`, { name: 'd' });
    expect(await probe()).toBe(3);
    await client.get('/financial/accounts');
    expect(await probe()).toBe(3);
  });
});
