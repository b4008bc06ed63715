import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { LedgerApp, PageBody } from './client.js';
import { startTransactionsApp } from './transactions-setup.js';

// Listing: newest first, filtered, paged by cursor; bad list parameters refused naming the field.

describe('/financial/transactions and /financial/transfers', () => {
  let t: LedgerApp;

  beforeAll(async () => {
    ({ t } = await startTransactionsApp());
  });
  afterAll(async () => t.close());

  it('lists newest first with filters and a cursor, and validates list parameters', async () => {
    const other = await t.createTenant();
    const client = t.client(other.tokens.admin);
    const acct = (
      await client.post('/financial/accounts', { name: 'l', account_type: 'cash', currency: 'EUR' })
    ).json().id;
    const entries = Array.from({ length: 9 }, (_, i) => ({
      account_id: acct,
      amount: `${i + 1}.00`,
      currency: 'EUR',
      transaction_type: i % 3 === 0 ? 'expense' : 'income',
      status: i === 4 ? 'pending' : 'posted',
      category: i % 2 ? 'odd' : 'even',
      occurred_at: `2026-10-0${i + 1}T12:00:00Z`,
    }));
    await client.post('/financial/transactions/batch', { transactions: entries });
    const analyst = t.client(other.tokens.analyst);
    const amounts: string[] = [];
    let url = '/financial/transactions?limit=4';
    for (;;) {
      const page = (await analyst.get(url)).json<PageBody<{ amount: string }>>();
      amounts.push(...page.data.map((x) => x.amount));
      if (!page.next_cursor) break;
      url = `/financial/transactions?limit=4&cursor=${page.next_cursor}`;
    }
    expect(amounts).toEqual(['9.00', '8.00', '7.00', '6.00', '5.00', '4.00', '3.00', '2.00', '1.00']);
    const q = async (query: string) =>
      (await analyst.get(`/financial/transactions?${query}`))
        .json<PageBody<{ amount: string }>>()
        .data.map((x) => x.amount);
    expect(await q('type=expense')).toEqual(['7.00', '4.00', '1.00']);
    expect(await q('status=pending')).toEqual(['5.00']);
    expect(await q('category=odd&type=income')).toEqual(['8.00', '6.00', '2.00']);
    expect(await q(`account_id=${acct}&from=2026-10-03T00:00:00Z&to=2026-10-05T12:00:00Z`)).toEqual([
      '4.00',
      '3.00',
    ]);
    expect(await q(`from=${encodeURIComponent('2026-10-08T13:00:00+02:00')}`)).toEqual(['9.00', '8.00']);

    for (const [query, field] of [
      ['limit=201', 'limit'],
      ['limit=-1', 'limit'],
      ['type=refund', 'type'],
      ['status=cancelled', 'status'],
      ['from=last-week', 'from'],
      ['to=2026-13-01T00:00:00Z', 'to'],
      ['account_id=123', 'account_id'],
      ['cursor=eyJrIjoiYWNjb3VudHMifQ', 'cursor'],
      ['amount=5', 'amount'],
    ]) {
      const res = await analyst.get(`/financial/transactions?${query}`);
      expect({ query, status: res.statusCode, field: res.json().field }).toEqual({
        query,
        status: 400,
        field,
      });
    }
  });
});
