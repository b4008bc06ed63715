import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { createTransactions, type NewTransaction } from '../../../app/domain/ledger/transactions.js';
import { daysAgo, ledgerFixture, type LedgerFixture } from './fixtures.js';
import { accountHelpers } from './transaction-helpers.js';

// Batches of entries: one statement for up to 1000, all or nothing.

describe('ledger transactions (domain, real PostgreSQL as the API role)', () => {
  let fx: LedgerFixture;

  beforeAll(async () => {
    fx = await ledgerFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  const { account, balance } = accountHelpers(() => fx);

  it('batch: inserts all in one statement, updating balances and rollups once', async () => {
    const ctx = await fx.tenant();
    const usd = await account(ctx, 'USD', 'usd');
    const kwd = await account(ctx, 'KWD', 'kwd');
    const entries: NewTransaction[] = [];
    for (let i = 0; i < 1000; i += 1) {
      entries.push({
        account_id: i % 2 ? usd : kwd,
        amount: i % 2 ? '0.01' : '0.001',
        currency: i % 2 ? 'USD' : 'KWD',
        transaction_type: i % 5 === 0 ? 'expense' : 'income',
        category: `cat-${i % 3}`,
        occurred_at: '2026-10-15T12:00:00Z',
      });
    }
    const result = await fx.as(ctx, (trx) => createTransactions(trx, ctx, entries));
    expect(result.count).toBe(1000);
    expect(result.transactions).toHaveLength(1000);
    expect(result.transactions[1]).toMatchObject({ account_id: usd, amount: '0.01', currency: 'USD' });
    // usd: 500 odd i; the odd multiples of 5 (5, 15, … 995) are 100 expenses: (400 - 100) × 0.01
    expect(await balance(ctx, usd)).toBe('3.00');
    // kwd: 500 even i, 100 of them multiples of 5 (expense): 400 - 100 = 300 × 0.001
    expect(await balance(ctx, kwd)).toBe('0.300');
    const rollup = await fx.superuser.raw<{ rows: Array<{ n: number }> }>(
      'select sum(count)::int as n from transaction_rollups_daily where tenant_id = ?',
      [ctx.tenantId],
    );
    expect(rollup.rows[0]?.n).toBe(1000);
    const audit = await fx
      .superuser('audit_events')
      .where({ tenant_id: ctx.tenantId, action: 'transaction.batch_create' });
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({ count: 1000, totals: { USD: '5.00', KWD: '0.500' } });
    expect(audit[0].details.transaction_ids).toHaveLength(1000);
  });

  it('batch: one bad entry (or 1001 entries) writes nothing and names the entry', async () => {
    const ctx = await fx.tenant();
    const usd = await account(ctx, 'USD');
    const ok: NewTransaction = {
      account_id: usd,
      amount: '1.00',
      currency: 'USD',
      transaction_type: 'income',
      occurred_at: daysAgo(0),
    };
    const before = await fx.counts();
    await expect(
      fx.as(ctx, (trx) => createTransactions(trx, ctx, [ok, ok, { ...ok, amount: '1.001' }])),
    ).rejects.toMatchObject({ statusCode: 400, details: { field: 'transactions.2.amount' } });
    await expect(
      fx.as(ctx, (trx) => createTransactions(trx, ctx, [ok, { ...ok, currency: 'EUR' }])),
    ).rejects.toMatchObject({ statusCode: 400, details: { field: 'transactions.1.currency' } });
    await expect(
      fx.as(ctx, (trx) =>
        createTransactions(trx, ctx, [ok, { ...ok, account_id: '11111111-1111-4111-8111-111111111111' }]),
      ),
    ).rejects.toMatchObject({ statusCode: 404, details: { field: 'transactions.1.account_id' } });
    await expect(
      fx.as(ctx, (trx) =>
        createTransactions(
          trx,
          ctx,
          Array.from({ length: 1001 }, () => ok),
        ),
      ),
    ).rejects.toMatchObject({ statusCode: 400, details: { field: 'transactions' } });
    await expect(fx.as(ctx, (trx) => createTransactions(trx, ctx, []))).rejects.toMatchObject({
      statusCode: 400,
    });
    expect(await fx.counts()).toEqual(before);
  });
});
