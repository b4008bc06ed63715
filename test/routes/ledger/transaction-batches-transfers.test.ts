import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { daysAgo, type LedgerApp, type LedgerClient, type TestTenant } from './client.js';
import { balanceOf, startTransactionsApp } from './transactions-setup.js';

// Batches (1000 entries, all or nothing), then transfers: in this order, since the transfer test starts
// from the balances the batch leaves on usd and usd2.

describe('/financial/transactions and /financial/transfers', () => {
  let t: LedgerApp;
  let tenant: TestTenant;
  let admin: LedgerClient;
  let usd: string;
  let usd2: string;
  let jpy: string;

  const balance = (id: string): Promise<string> => balanceOf(admin, id);

  beforeAll(async () => {
    ({ t, tenant, admin, usd, usd2, jpy } = await startTransactionsApp());
  });
  afterAll(async () => t.close());

  it('batch: 1000 entries in one request, all or nothing', async () => {
    const entries = Array.from({ length: 1000 }, (_, i) => ({
      account_id: i % 2 ? usd : usd2,
      amount: '0.10',
      currency: 'USD',
      transaction_type: 'income',
      category: 'bulk',
      occurred_at: daysAgo(i % 30),
    }));
    const res = await admin.post('/financial/transactions/batch', { transactions: entries });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.count).toBe(1000);
    expect(body.transactions).toHaveLength(1000);
    expect(body.transactions[0]).toMatchObject({
      account_id: usd2,
      amount: '0.10',
      status: 'posted',
      category: 'bulk',
    });
    expect([await balance(usd), await balance(usd2)]).toEqual(['50.00', '50.00']);

    const before = await t.counts();
    const oversized = await admin.post('/financial/transactions/batch', {
      transactions: [...entries, entries[0]],
    });
    expect([oversized.statusCode, oversized.json().field]).toEqual([400, 'transactions']);
    const bad = [...entries.slice(0, 10)];
    bad[7] = { ...entries[7]!, amount: 7 as unknown as string };
    const wrongType = await admin.post('/financial/transactions/batch', { transactions: bad });
    expect([wrongType.statusCode, wrongType.json().field]).toEqual([400, 'transactions.7.amount']);
    bad[7] = { ...entries[7]!, currency: 'JPY', amount: '10' };
    const mismatch = await admin.post('/financial/transactions/batch', { transactions: bad });
    expect([mismatch.statusCode, mismatch.json().field]).toEqual([400, 'transactions.7.currency']);
    bad[7] = { ...entries[7]!, account_id: '00000000-0000-4000-8000-000000000002' };
    const missing = await admin.post('/financial/transactions/batch', { transactions: bad });
    expect([missing.statusCode, missing.json().field]).toEqual([404, 'transactions.7.account_id']);
    const empty = await admin.post('/financial/transactions/batch', { transactions: [] });
    expect([empty.statusCode, empty.json().field]).toEqual([400, 'transactions']);
    const extra = await admin.post('/financial/transactions/batch', {
      transactions: entries.slice(0, 2),
      dry_run: true,
    });
    expect([extra.statusCode, extra.json().field]).toEqual([400, 'dry_run']);
    expect(await t.counts()).toEqual(before);
    expect([await balance(usd), await balance(usd2)]).toEqual(['50.00', '50.00']);
  });

  it('transfers between same-currency accounts: two legs, one transfer_id', async () => {
    const before = [await balance(usd), await balance(usd2)];
    const res = await admin.post('/financial/transfers', {
      from_account_id: usd,
      to_account_id: usd2,
      amount: '12.5',
      currency: 'USD',
      description: 'rent share',
      occurred_at: daysAgo(0),
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      transfer_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      debit: expect.objectContaining({
        account_id: usd,
        amount: '12.50',
        direction: 'debit',
        transaction_type: 'transfer',
        category: 'transfer',
        transfer_id: body.transfer_id,
      }),
      credit: expect.objectContaining({
        account_id: usd2,
        amount: '12.50',
        direction: 'credit',
        transaction_type: 'transfer',
        transfer_id: body.transfer_id,
      }),
    });
    expect([await balance(usd), await balance(usd2)]).toEqual(['37.50', '62.50']);
    expect(before).toEqual(['50.00', '50.00']);
    const legs = await t.client(tenant.tokens.analyst).get(`/financial/transactions?type=transfer`);
    expect(legs.json().data).toHaveLength(2);

    await admin.post(`/financial/transactions/${body.debit.id}/void`);
    expect([await balance(usd), await balance(usd2)]).toEqual(['50.00', '50.00']);

    const beforeBad = await t.counts();
    const base = {
      from_account_id: usd,
      to_account_id: usd2,
      amount: '1.00',
      currency: 'USD',
      occurred_at: daysAgo(0),
    };
    for (const [body2, status, field] of [
      [{ ...base, to_account_id: usd }, 400, 'to_account_id'],
      [{ ...base, to_account_id: jpy }, 400, 'currency'],
      [{ ...base, currency: 'JPY', amount: '1' }, 400, 'currency'],
      [{ ...base, amount: 1 }, 400, 'amount'],
      [{ ...base, to_account_id: '00000000-0000-4000-8000-000000000004' }, 404, 'to_account_id'],
      [{ ...base, exchange_rate: '1.1' }, 400, 'exchange_rate'],
    ] as Array<[unknown, number, string]>) {
      const r = await admin.post('/financial/transfers', body2);
      expect({ body2, status: r.statusCode, field: r.json().field }).toEqual({ body2, status, field });
    }
    expect(await t.counts()).toEqual(beforeBad);
  });
});
