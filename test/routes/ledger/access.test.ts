import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { daysAgo, startLedgerApp, type LedgerApp, type PageBody, type TestTenant } from './client.js';

/**
 * Who may call which ledger endpoint: no token 401, a role without the permission 403
 * (viewers only read dashboards; analysts read, never write), another tenant's ids 404 for
 * every read and write, and none of the refused calls change anything.
 */
describe('ledger access control and tenant isolation', () => {
  let t: LedgerApp;
  let alice: TestTenant;
  let bob: TestTenant;
  let suspended: TestTenant;
  const ids = { account: '', transaction: '', budget: '' };

  beforeAll(async () => {
    t = await startLedgerApp();
    alice = await t.createTenant();
    bob = await t.createTenant();
    suspended = await t.createTenant({ status: 'suspended' });
    const admin = t.client(alice.tokens.admin);
    ids.account = (
      await admin.post('/financial/accounts', { name: 'A', account_type: 'cash', currency: 'USD' })
    ).json().id;
    ids.transaction = (
      await admin.post('/financial/transactions', {
        account_id: ids.account,
        amount: '10.00',
        currency: 'USD',
        transaction_type: 'income',
        occurred_at: daysAgo(1),
      })
    ).json().id;
    ids.budget = (
      await admin.post('/financial/budgets', {
        name: 'B',
        currency: 'USD',
        total_amount: '100',
        start_date: '2026-01-01',
        end_date: '2026-12-31',
      })
    ).json().id;
  });
  afterAll(async () => t.close());

  type Call = {
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
    url: () => string;
    body?: () => unknown;
    write: boolean;
    txRead?: boolean;
  };
  const entry = () => ({
    account_id: ids.account,
    amount: '1.00',
    currency: 'USD',
    transaction_type: 'expense',
    occurred_at: daysAgo(0),
  });
  const calls: Call[] = [
    {
      method: 'POST',
      url: () => '/financial/accounts',
      body: () => ({ name: 'n', account_type: 'cash', currency: 'USD' }),
      write: true,
    },
    { method: 'GET', url: () => '/financial/accounts', write: false },
    { method: 'GET', url: () => `/financial/accounts/${ids.account}`, write: false },
    {
      method: 'PATCH',
      url: () => `/financial/accounts/${ids.account}`,
      body: () => ({ name: 'stolen' }),
      write: true,
    },
    { method: 'POST', url: () => `/financial/accounts/${ids.account}/deactivate`, write: true },
    { method: 'DELETE', url: () => `/financial/accounts/${ids.account}`, write: true },
    { method: 'POST', url: () => '/financial/transactions', body: entry, write: true },
    {
      method: 'POST',
      url: () => '/financial/transactions/batch',
      body: () => ({ transactions: [entry()] }),
      write: true,
    },
    { method: 'GET', url: () => '/financial/transactions', write: false, txRead: true },
    { method: 'GET', url: () => `/financial/transactions/${ids.transaction}`, write: false, txRead: true },
    { method: 'POST', url: () => `/financial/transactions/${ids.transaction}/void`, write: true },
    { method: 'POST', url: () => `/financial/transactions/${ids.transaction}/post`, write: true },
    {
      method: 'POST',
      url: () => '/financial/transfers',
      body: () => ({
        from_account_id: ids.account,
        to_account_id: ids.account,
        amount: '1',
        currency: 'USD',
        occurred_at: daysAgo(0),
      }),
      write: true,
    },
    {
      method: 'POST',
      url: () => '/financial/budgets',
      body: () => ({
        name: 'n',
        currency: 'USD',
        total_amount: '1',
        start_date: '2026-01-01',
        end_date: '2026-01-31',
      }),
      write: true,
    },
    { method: 'GET', url: () => '/financial/budgets', write: false },
    { method: 'GET', url: () => `/financial/budgets/${ids.budget}`, write: false },
    {
      method: 'PATCH',
      url: () => `/financial/budgets/${ids.budget}`,
      body: () => ({ name: 'stolen' }),
      write: true,
    },
    { method: 'DELETE', url: () => `/financial/budgets/${ids.budget}`, write: true },
  ];
  const label = (c: Call) => `${c.method} ${c.url()}`;

  it('401 without a token or with a bad one, 403 for a suspended tenant, nothing written', async () => {
    const before = await t.counts();
    for (const call of calls) {
      const none = await t.client().request(call.method, call.url(), call.body?.());
      expect([label(call), none.statusCode, none.json().error]).toEqual([label(call), 401, 'Unauthorized']);
      const forged = await t.client(`fdt_${'A'.repeat(43)}`).request(call.method, call.url(), call.body?.());
      expect([label(call), forged.statusCode]).toEqual([label(call), 401]);
      const frozen = await t.client(suspended.tokens.admin).request(call.method, call.url(), call.body?.());
      expect([label(call), frozen.statusCode]).toEqual([label(call), 403]);
    }
    expect(await t.counts()).toEqual(before);
  });

  it('403 for roles without the permission: viewers read no ledger data, analysts write nothing', async () => {
    const before = await t.counts();
    for (const call of calls) {
      const viewer = await t.client(alice.tokens.viewer).request(call.method, call.url(), call.body?.());
      expect([label(call), viewer.statusCode]).toEqual([label(call), 403]);
      expect(viewer.json().message).toMatch(
        /role viewer lacks the (ledger|transactions):(read|write) permission/,
      );
      const analyst = await t.client(alice.tokens.analyst).request(call.method, call.url(), call.body?.());
      expect([label(call), analyst.statusCode]).toEqual([label(call), call.write ? 403 : 200]);
    }
    expect(await t.counts()).toEqual(before);
  });

  it("404 for every read and write of another tenant's account, transaction and budget", async () => {
    const before = await t.counts();
    const bobAdmin = t.client(bob.tokens.admin);
    const byId = calls.filter(
      (c) =>
        c.url().includes(ids.account) || c.url().includes(ids.transaction) || c.url().includes(ids.budget),
    );
    expect(byId).toHaveLength(10);
    for (const call of byId) {
      const res = await bobAdmin.request(call.method, call.url(), call.body?.());
      expect([label(call), res.statusCode]).toEqual([label(call), 404]);
      expect(JSON.stringify(res.json())).not.toContain('stolen');
    }
    // Bob cannot book against, or transfer into, Alice's account either.
    const bobAccount = (
      await bobAdmin.post('/financial/accounts', { name: 'Bob', account_type: 'cash', currency: 'USD' })
    ).json().id;
    const afterAccount = await t.counts();
    const booking = await bobAdmin.post('/financial/transactions', entry());
    expect([booking.statusCode, booking.json().field]).toEqual([404, 'account_id']);
    const transfer = await bobAdmin.post('/financial/transfers', {
      from_account_id: bobAccount,
      to_account_id: ids.account,
      amount: '1',
      currency: 'USD',
      occurred_at: daysAgo(0),
    });
    expect([transfer.statusCode, transfer.json().field]).toEqual([404, 'to_account_id']);
    const lists = await Promise.all(
      ['accounts', 'transactions', 'budgets'].map((r) => bobAdmin.get(`/financial/${r}`)),
    );
    expect(lists.map((r) => r.json<PageBody<unknown>>().data.length)).toEqual([1, 0, 0]);
    expect(await t.counts()).toEqual({
      ...before,
      accounts: before.accounts + 1,
      audit_events: afterAccount.audit_events,
      audit_outbox: afterAccount.audit_outbox,
    });
    expect(afterAccount.audit_events).toBe(before.audit_events + 1);

    const aliceView = t.client(alice.tokens.analyst);
    expect((await aliceView.get(`/financial/accounts/${ids.account}`)).json()).toMatchObject({
      name: 'A',
      balance: '10.00',
      is_active: true,
    });
    expect((await aliceView.get(`/financial/transactions/${ids.transaction}`)).json().status).toBe('posted');
    expect((await aliceView.get(`/financial/budgets/${ids.budget}`)).json().name).toBe('B');
  });

  it('lists every ledger route in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/financial/accounts',
        '/financial/accounts/{id}',
        '/financial/accounts/{id}/deactivate',
        '/financial/transactions',
        '/financial/transactions/batch',
        '/financial/transactions/{id}',
        '/financial/transactions/{id}/void',
        '/financial/transactions/{id}/post',
        '/financial/transfers',
        '/financial/budgets',
        '/financial/budgets/{id}',
      ]),
    );
  });
});
