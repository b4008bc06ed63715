import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { daysAgo, startLedgerApp, type LedgerApp, type LedgerClient, type TestTenant } from './client.js';

describe('Idempotency-Key on ledger creates', () => {
  let t: LedgerApp;
  let tenant: TestTenant;
  let admin: LedgerClient;
  let usd: string;
  let eur: string;
  let eur2: string;

  const count = async (): Promise<number> =>
    (await t.superuser('transactions').where({ tenant_id: tenant.id })).length;
  const balance = async (id: string): Promise<string> =>
    (await admin.get(`/financial/accounts/${id}`)).json<{ balance: string }>().balance;

  beforeAll(async () => {
    t = await startLedgerApp();
    tenant = await t.createTenant();
    admin = t.client(tenant.tokens.admin);
    const make = async (currency: string) =>
      (await admin.post('/financial/accounts', { name: currency, account_type: 'cash', currency })).json()
        .id as string;
    usd = await make('USD');
    eur = await make('EUR');
    eur2 = await make('EUR');
  });
  afterAll(async () => t.close());

  it('replays the original response (same status, same body, Idempotent-Replayed: true) and writes once', async () => {
    const body = {
      account_id: usd,
      amount: '42.00',
      currency: 'USD',
      transaction_type: 'income',
      occurred_at: daysAgo(1),
    };
    const headers = { 'idempotency-key': 'order-1001' };
    const first = await admin.post('/financial/transactions', body, headers);
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await admin.post('/financial/transactions', { ...body }, headers);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(again.headers.location).toBe(first.headers.location);
    // Same body with keys in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect((await admin.post('/financial/transactions', reordered, headers)).json().id).toBe(first.json().id);
    expect(await count()).toBe(1);
    expect(await balance(usd)).toBe('42.00');
  });

  it('answers 422 for the same key with a different body, writing nothing', async () => {
    const body = {
      account_id: usd,
      amount: '1.00',
      currency: 'USD',
      transaction_type: 'expense',
      occurred_at: daysAgo(1),
    };
    const headers = { 'idempotency-key': 'order-1002' };
    expect((await admin.post('/financial/transactions', body, headers)).statusCode).toBe(201);
    const before = await t.counts();
    const res = await admin.post('/financial/transactions', { ...body, amount: '2.00' }, headers);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      error: 'Unprocessable Entity',
      message: expect.stringContaining('order-1002'),
    });
    // A key from a single create cannot be reused for a batch either.
    expect(
      (await admin.post('/financial/transactions/batch', { transactions: [body] }, headers)).statusCode,
    ).toBe(422);
    expect(await t.counts()).toEqual(before);
  });

  it('keeps one transaction when identical requests race', async () => {
    const body = {
      account_id: eur,
      amount: '3.33',
      currency: 'EUR',
      transaction_type: 'income',
      occurred_at: daysAgo(2),
    };
    const headers = { 'idempotency-key': 'race-1' };
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => admin.post('/financial/transactions', body, headers)),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(8).fill(201));
    expect(new Set(responses.map((r) => r.json<{ id: string }>().id)).size).toBe(1);
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(7);
    expect(await balance(eur)).toBe('3.33');
  });

  it('covers batches and transfers too', async () => {
    const entry = {
      account_id: eur2,
      amount: '1.50',
      currency: 'EUR',
      transaction_type: 'income',
      occurred_at: daysAgo(0),
    };
    const batch = { transactions: [entry, entry, entry] };
    const b1 = await admin.post('/financial/transactions/batch', batch, { 'idempotency-key': 'import-7' });
    const b2 = await admin.post('/financial/transactions/batch', batch, { 'idempotency-key': 'import-7' });
    expect([b1.statusCode, b2.statusCode, b2.headers['idempotent-replayed']]).toEqual([201, 201, 'true']);
    expect(b2.json()).toEqual(b1.json());
    expect(await balance(eur2)).toBe('4.50');

    const transfer = {
      from_account_id: eur2,
      to_account_id: eur,
      amount: '0.50',
      currency: 'EUR',
      occurred_at: daysAgo(0),
    };
    const [t1, t2] = await Promise.all([
      admin.post('/financial/transfers', transfer, { 'idempotency-key': 'move-1' }),
      admin.post('/financial/transfers', transfer, { 'idempotency-key': 'move-1' }),
    ]);
    expect(t1.json().transfer_id).toBe(t2.json().transfer_id);
    expect([await balance(eur2), await balance(eur)]).toEqual(['4.00', '3.83']);
  });

  it('lets a failed request be retried with the same key once fixed', async () => {
    const body = {
      account_id: usd,
      amount: '5.00',
      currency: 'EUR',
      transaction_type: 'income',
      occurred_at: daysAgo(0),
    };
    const headers = { 'idempotency-key': 'retry-me' };
    expect((await admin.post('/financial/transactions', body, headers)).statusCode).toBe(400);
    const fixed = await admin.post('/financial/transactions', { ...body, currency: 'USD' }, headers);
    expect([fixed.statusCode, fixed.headers['idempotent-replayed']]).toEqual([201, undefined]);
  });

  it('refuses malformed keys naming the header', async () => {
    const body = {
      account_id: usd,
      amount: '5.00',
      currency: 'USD',
      transaction_type: 'income',
      occurred_at: daysAgo(0),
    };
    const before = await t.counts();
    for (const key of ['has space', 'k'.repeat(201), 'tab\tkey']) {
      const res = await admin.post('/financial/transactions', body, { 'idempotency-key': key });
      expect([res.statusCode, res.json().field]).toEqual([400, 'idempotency-key']);
    }
    expect(await t.counts()).toEqual(before);
  });

  it('scopes keys to the tenant', async () => {
    const other = await t.createTenant();
    const client = t.client(other.tokens.admin);
    const acct = (
      await client.post('/financial/accounts', { name: 'o', account_type: 'cash', currency: 'USD' })
    ).json().id;
    const res = await client.post(
      '/financial/transactions',
      {
        account_id: acct,
        amount: '42.00',
        currency: 'USD',
        transaction_type: 'income',
        occurred_at: daysAgo(1),
      },
      { 'idempotency-key': 'order-1001' },
    );
    expect([res.statusCode, res.headers['idempotent-replayed']]).toEqual([201, undefined]);
  });
});
