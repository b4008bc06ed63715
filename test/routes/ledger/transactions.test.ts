import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { daysAgo, type LedgerApp, type LedgerClient, type TestTenant } from './client.js';
import { balanceOf, openAccount, startTransactionsApp } from './transactions-setup.js';

// Single entries: recorded with an exact body, refused with a 400 or 404 naming the field, stored verbatim,
// posted and voided. Batches and transfers: transaction-batches-transfers.test.ts; listing:
// transaction-list.test.ts.

describe('/financial/transactions and /financial/transfers', () => {
  let t: LedgerApp;
  let tenant: TestTenant;
  let admin: LedgerClient;
  let usd: string;
  let jpy: string;

  const account = (currency: string, name: string): Promise<string> => openAccount(admin, currency, name);
  const balance = (id: string): Promise<string> => balanceOf(admin, id);

  beforeAll(async () => {
    ({ t, tenant, admin, usd, jpy } = await startTransactionsApp());
  });
  afterAll(async () => t.close());

  it('records an entry (201, exact body, Location) that the account balance reflects', async () => {
    const res = await admin.post('/financial/transactions', {
      account_id: usd,
      amount: '19.9',
      currency: 'USD',
      transaction_type: 'expense',
      category: 'books',
      description: 'Refactoring, 2nd ed.',
      occurred_at: '2026-11-20T18:45:00-05:00',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      account_id: usd,
      amount: '19.90',
      currency: 'USD',
      transaction_type: 'expense',
      direction: 'debit',
      status: 'posted',
      category: 'books',
      description: 'Refactoring, 2nd ed.',
      occurred_at: '2026-11-20T23:45:00.000Z',
      transfer_id: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(res.headers.location).toBe(`/financial/transactions/${body.id}`);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await balance(usd)).toBe('-19.90');
    const read = await t.client(tenant.tokens.analyst).get(`/financial/transactions/${body.id}`);
    expect([read.statusCode, read.json()]).toEqual([200, body]);
    // Clean up for later balance assertions.
    expect((await admin.post(`/financial/transactions/${body.id}/void`)).json().status).toBe('void');
    expect(await balance(usd)).toBe('0.00');
  });

  it('refuses bad entries with a 400 naming the field, writing nothing', async () => {
    const good = {
      account_id: usd,
      amount: '1.00',
      currency: 'USD',
      transaction_type: 'income',
      occurred_at: daysAgo(1),
    };
    const before = await t.counts();
    const cases: Array<[unknown, string]> = [
      [{ ...good, amount: 12.5 }, 'amount'],
      [{ ...good, amount: '12.345' }, 'amount'],
      [{ ...good, amount: '-1' }, 'amount'],
      [{ ...good, amount: '0' }, 'amount'],
      [{ ...good, amount: '99999999999999999999' }, 'amount'],
      [{ ...good, amount: '1e308' }, 'amount'],
      [{ ...good, amount: 'NaN' }, 'amount'],
      [{ ...good, amount: '1'.repeat(41) }, 'amount'],
      [{ ...good, currency: 'US' }, 'currency'],
      [{ ...good, currency: 'QQQ' }, 'currency'],
      [{ ...good, currency: 'EUR' }, 'currency'],
      [{ ...good, currency: null }, 'currency'],
      [{ ...good, transaction_type: 'transfer' }, 'transaction_type'],
      [{ ...good, transaction_type: 'gift' }, 'transaction_type'],
      [{ ...good, status: 'void' }, 'status'],
      [{ ...good, occurred_at: '2026-02-30T10:00:00Z' }, 'occurred_at'],
      [{ ...good, occurred_at: '2026-11-20 10:00' }, 'occurred_at'],
      [{ ...good, occurred_at: '2026-11-20T10:00:00' }, 'occurred_at'],
      [{ ...good, occurred_at: '9999-12-31T00:00:00Z' }, 'occurred_at'],
      [{ ...good, occurred_at: '0001-01-01T00:00:00Z' }, 'occurred_at'],
      [{ ...good, occurred_at: 1732000000000 }, 'occurred_at'],
      [{ ...good, category: '' }, 'category'],
      [{ ...good, category: 'c'.repeat(101) }, 'category'],
      [{ ...good, description: 'd'.repeat(1001) }, 'description'],
      [{ ...good, account_id: 'abc' }, 'account_id'],
      [{ ...good, account_id: 42 }, 'account_id'],
      [{ ...good, direction: 'credit' }, 'direction'],
      [{ ...good, balance: '5' }, 'balance'],
      [
        { amount: '1.00', currency: 'USD', transaction_type: 'income', occurred_at: daysAgo(1) },
        'account_id',
      ],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post('/financial/transactions', body);
      expect({ body, status: res.statusCode, field: res.json().field }).toEqual({ body, status: 400, field });
    }
    const rawHuge = await admin.post(
      '/financial/transactions',
      `{"account_id":"${usd}","amount":1e400,"currency":"USD","transaction_type":"income","occurred_at":"${daysAgo(1)}"}`,
    );
    expect([rawHuge.statusCode, rawHuge.json().field]).toEqual([400, 'amount']);
    const notJson = await admin.post('/financial/transactions', '{"account_id": ');
    expect(notJson.statusCode).toBe(400);
    expect(await t.counts()).toEqual(before);
    expect(await balance(usd)).toBe('0.00');
  });

  it('refuses an amount that would overflow the account balance with a 400 naming the field, single and batch', async () => {
    const big = await account('USD', 'near the balance limit');
    await t.superuser('accounts').where('id', big).update({ balance: '99999999999999990000' });
    const entry = {
      account_id: big,
      amount: '999999999999999',
      currency: 'USD',
      transaction_type: 'income',
      occurred_at: daysAgo(1),
    };
    const before = await t.counts();
    const single = await admin.post('/financial/transactions', entry);
    expect(single.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringMatching(/^amount /),
      request_id: expect.any(String),
      field: 'amount',
    });
    const batch = await admin.post('/financial/transactions/batch', { transactions: [entry] });
    expect(batch.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringMatching(/^transactions\.0\.amount /),
      request_id: expect.any(String),
      field: 'transactions.0.amount',
    });
    expect(await t.counts()).toEqual(before);
    expect(await balance(big)).toBe('99999999999999990000.00');
  });

  it('accepts trailing zeros past the currency exponent when exact, refuses what needs rounding', async () => {
    const gbp = await account('GBP', 'gbp exact');
    const entry = { account_id: gbp, currency: 'GBP', transaction_type: 'income', occurred_at: daysAgo(1) };
    const exact = await admin.post('/financial/transactions', { ...entry, amount: '1.050' });
    expect([exact.statusCode, exact.json().amount]).toEqual([201, '1.05']);
    const before = await t.counts();
    const rounded = await admin.post('/financial/transactions', { ...entry, amount: '1.055' });
    expect([rounded.statusCode, rounded.json().field, rounded.json().message]).toEqual([
      400,
      'amount',
      'amount has more than 2 decimal places for GBP',
    ]);
    expect(await t.counts()).toEqual(before);
    expect(await balance(gbp)).toBe('1.05');
  });

  it('refuses a whitespace-only category with a 400 naming the field', async () => {
    const own = await account('USD', 'blank category');
    const before = await t.counts();
    const res = await admin.post('/financial/transactions', {
      account_id: own,
      amount: '1.00',
      currency: 'USD',
      transaction_type: 'income',
      category: ' \t ',
      occurred_at: daysAgo(1),
    });
    expect([res.statusCode, res.json().field]).toEqual([400, 'category']);
    expect(await t.counts()).toEqual(before);
  });

  it('404s an unknown or inactive account, naming account_id', async () => {
    const entry = { amount: '1', currency: 'JPY', transaction_type: 'income', occurred_at: daysAgo(0) };
    const unknown = await admin.post('/financial/transactions', {
      ...entry,
      account_id: '00000000-0000-4000-8000-000000000001',
    });
    expect([unknown.statusCode, unknown.json().field]).toEqual([404, 'account_id']);
    const closed = await account('JPY', 'closed');
    await admin.post(`/financial/accounts/${closed}/deactivate`);
    const inactive = await admin.post('/financial/transactions', { ...entry, account_id: closed });
    expect(inactive.json()).toMatchObject({
      statusCode: 404,
      field: 'account_id',
      message: expect.stringContaining('inactive'),
    });
  });

  it('stores SQL-looking text verbatim and harmlessly', async () => {
    const sneaky = "1'; UPDATE accounts SET balance = 1000000; --";
    const res = await admin.post('/financial/transactions', {
      account_id: jpy,
      amount: '500',
      currency: 'JPY',
      transaction_type: 'income',
      category: sneaky,
      description: `${sneaky} /* */ \\x00`,
      occurred_at: daysAgo(0),
    });
    expect(res.statusCode).toBe(201);
    const found = await t
      .client(tenant.tokens.analyst)
      .get(`/financial/transactions?category=${encodeURIComponent(sneaky)}`);
    expect(found.json().data).toEqual([
      expect.objectContaining({ category: sneaky, description: `${sneaky} /* */ \\x00` }),
    ]);
    expect(await balance(jpy)).toBe('500');
    await admin.post(`/financial/transactions/${res.json().id}/void`);
  });

  it('voids (pending or posted) and posts pending entries, 409 otherwise', async () => {
    const pending = (
      await admin.post('/financial/transactions', {
        account_id: jpy,
        amount: '1000',
        currency: 'JPY',
        transaction_type: 'income',
        status: 'pending',
        occurred_at: daysAgo(0),
      })
    ).json();
    expect(await balance(jpy)).toBe('0');
    const posted = await admin.post(`/financial/transactions/${pending.id}/post`);
    expect([posted.statusCode, posted.json().status]).toEqual([200, 'posted']);
    expect(await balance(jpy)).toBe('1000');
    const again = await admin.post(`/financial/transactions/${pending.id}/post`);
    expect(again.json()).toMatchObject({ statusCode: 409, error: 'Conflict' });
    const voided = await admin.post(`/financial/transactions/${pending.id}/void`);
    expect([voided.statusCode, voided.json().status]).toEqual([200, 'void']);
    expect(await balance(jpy)).toBe('0');
    expect((await admin.post(`/financial/transactions/${pending.id}/void`)).statusCode).toBe(409);
    expect(
      (await admin.post('/financial/transactions/00000000-0000-4000-8000-000000000003/void')).statusCode,
    ).toBe(404);
    expect((await admin.post('/financial/transactions/nope/void')).json()).toMatchObject({
      statusCode: 400,
      field: 'id',
    });
    const audit = await t.superuser('audit_events').where({ resource_id: pending.id }).orderBy('occurred_at');
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'transaction.create',
      'transaction.post',
      'transaction.void',
    ]);
  });
});
