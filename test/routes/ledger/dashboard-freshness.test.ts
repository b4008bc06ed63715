import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { daysAgo, startLedgerApp, type LedgerApp, type TestTenant } from './client.js';

/**
 * What "writes invalidate the dashboard cache" means to a user: the cached dashboard shows a
 * write on the very next read, for every kind of ledger write.
 */
describe('ledger writes are visible on the cached dashboard immediately', () => {
  let t: LedgerApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await startLedgerApp();
    tenant = await t.createTenant();
  });
  afterAll(async () => t.close());

  it('shows new accounts, entries, batches, transfers and voids on the next dashboard read', async () => {
    const admin = t.client(tenant.tokens.admin);
    const viewer = t.client(tenant.tokens.viewer);
    const balances = async (): Promise<Record<string, string>> => {
      const res = await viewer.get('/financial/dashboard/accounts');
      expect(res.statusCode).toBe(200);
      const rows = res.json<Array<{ name: string; balance: string }>>();
      return Object.fromEntries(rows.map((r) => [r.name, r.balance]));
    };

    expect(await balances()).toEqual({});
    const a = (
      await admin.post('/financial/accounts', { name: 'A', account_type: 'checking', currency: 'USD' })
    ).json<{ id: string }>().id;
    const b = (
      await admin.post('/financial/accounts', { name: 'B', account_type: 'savings', currency: 'USD' })
    ).json<{ id: string }>().id;
    expect(await balances()).toEqual({ A: '0.00', B: '0.00' });

    const entry = {
      account_id: a,
      amount: '100.00',
      currency: 'USD',
      transaction_type: 'income',
      occurred_at: daysAgo(1),
    };
    const income = (await admin.post('/financial/transactions', entry)).json<{ id: string }>().id;
    expect(await balances()).toEqual({ A: '100.00', B: '0.00' });

    await admin.post('/financial/transactions/batch', {
      transactions: [
        { ...entry, account_id: b, amount: '5.00' },
        { ...entry, account_id: b, amount: '5.00' },
      ],
    });
    expect(await balances()).toEqual({ A: '100.00', B: '10.00' });

    await admin.post('/financial/transfers', {
      from_account_id: a,
      to_account_id: b,
      amount: '40.00',
      currency: 'USD',
      occurred_at: daysAgo(0),
    });
    expect(await balances()).toEqual({ A: '60.00', B: '50.00' });

    await admin.post(`/financial/transactions/${income}/void`);
    expect(await balances()).toEqual({ A: '-40.00', B: '50.00' });

    await admin.patch(`/financial/accounts/${b}`, { name: 'Savings' });
    expect(await balances()).toEqual({ A: '-40.00', Savings: '50.00' });
  });
});
