import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  createTransactions,
  listTransactions,
  type NewTransaction,
} from '../../../app/domain/ledger/transactions.js';
import { ledgerFixture, type LedgerFixture } from './fixtures.js';
import { accountHelpers } from './transaction-helpers.js';

// Listing: newest first, filtered, in keyset pages that neither skip nor repeat.

describe('ledger transactions (domain, real PostgreSQL as the API role)', () => {
  let fx: LedgerFixture;

  beforeAll(async () => {
    fx = await ledgerFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  const { account } = accountHelpers(() => fx);

  it('lists newest first with filters and keyset pages that neither skip nor repeat', async () => {
    const ctx = await fx.tenant();
    const a = await account(ctx, 'USD', 'a');
    const b = await account(ctx, 'USD', 'b');
    // 30 entries, several sharing one occurred_at so the id tie-breaker matters.
    const entries: NewTransaction[] = Array.from({ length: 30 }, (_, i) => ({
      account_id: i % 3 === 0 ? b : a,
      amount: `${i + 1}.00`,
      currency: 'USD',
      transaction_type: i % 2 ? 'expense' : 'income',
      status: i % 7 === 0 ? 'pending' : 'posted',
      category: i % 2 ? 'food' : 'salary',
      occurred_at: `2026-09-${String(10 + Math.floor(i / 4)).padStart(2, '0')}T08:00:00Z`,
    }));
    const { transactions } = await fx.as(ctx, (trx) => createTransactions(trx, ctx, entries));
    const expected = [...transactions]
      .sort((x, y) =>
        x.occurred_at === y.occurred_at ? (x.id < y.id ? 1 : -1) : x.occurred_at < y.occurred_at ? 1 : -1,
      )
      .map((t) => t.id);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await fx.as(ctx, (trx) =>
        listTransactions(trx, ctx, { limit: 4, ...(cursor ? { cursor } : {}) }),
      );
      expect(page.data.length).toBeLessThanOrEqual(4);
      seen.push(...page.data.map((t) => t.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(expected);

    const byFilter = async (filter: Record<string, string | number>) =>
      (await fx.as(ctx, (trx) => listTransactions(trx, ctx, { limit: 200, ...filter }))).data;
    expect((await byFilter({ account_id: b })).every((t) => t.account_id === b)).toBe(true);
    expect(await byFilter({ account_id: b })).toHaveLength(10);
    expect((await byFilter({ category: 'food', type: 'expense' })).length).toBe(15);
    expect((await byFilter({ status: 'pending' })).map((t) => t.amount).sort()).toEqual([
      '1.00',
      '15.00',
      '22.00',
      '29.00',
      '8.00',
    ]);
    const window = await byFilter({ from: '2026-09-11T00:00:00Z', to: '2026-09-12T00:00:00Z' });
    expect(window.map((t) => t.occurred_at)).toEqual(Array(4).fill('2026-09-11T08:00:00.000Z'));
    const offsetWindow = await byFilter({
      from: '2026-09-11T09:30:00+02:00',
      to: '2026-09-11T10:30:00+02:00',
    });
    expect(offsetWindow).toHaveLength(4);

    await expect(byFilter({ type: 'gift' })).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'type' },
    });
    await expect(byFilter({ from: 'yesterday' })).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'from' },
    });
    await expect(
      byFilter({ from: '2026-09-12T00:00:00Z', to: '2026-09-11T00:00:00Z' }),
    ).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'to' },
    });
  });
});
