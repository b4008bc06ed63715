import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { postTransaction, voidTransaction } from '../../../app/domain/ledger/transaction-status.js';
import { createTransaction, getTransaction } from '../../../app/domain/ledger/transactions.js';
import { createTransfer } from '../../../app/domain/ledger/transfers.js';
import { daysAgo, ledgerFixture, type LedgerFixture } from './fixtures.js';
import { accountHelpers } from './transaction-helpers.js';

// Transfers: two legs with one transfer_id, posted and voided together, refused when they cannot balance.

describe('ledger transactions (domain, real PostgreSQL as the API role)', () => {
  let fx: LedgerFixture;

  beforeAll(async () => {
    fx = await ledgerFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  const { account, balance } = accountHelpers(() => fx);

  it('transfers: two legs, one transfer_id, money conserved; voided together', async () => {
    const ctx = await fx.tenant();
    const from = await account(ctx, 'EUR', 'from');
    const to = await account(ctx, 'EUR', 'to');
    await fx.as(ctx, (trx) =>
      createTransaction(trx, ctx, {
        account_id: from,
        amount: '100',
        currency: 'EUR',
        transaction_type: 'income',
        occurred_at: daysAgo(3),
      }),
    );
    const transfer = await fx.as(ctx, (trx) =>
      createTransfer(trx, ctx, {
        from_account_id: from,
        to_account_id: to,
        amount: '40.10',
        currency: 'EUR',
        description: 'to savings',
        occurred_at: daysAgo(1),
      }),
    );
    expect(transfer.debit).toMatchObject({
      account_id: from,
      amount: '40.10',
      transaction_type: 'transfer',
      direction: 'debit',
      status: 'posted',
      category: 'transfer',
      transfer_id: transfer.transfer_id,
    });
    expect(transfer.credit).toMatchObject({
      account_id: to,
      amount: '40.10',
      direction: 'credit',
      transfer_id: transfer.transfer_id,
    });
    expect([await balance(ctx, from), await balance(ctx, to)]).toEqual(['59.90', '40.10']);

    const voided = await fx.as(ctx, (trx) => voidTransaction(trx, ctx, transfer.credit.id));
    expect(voided).toMatchObject({ id: transfer.credit.id, status: 'void' });
    expect((await fx.as(ctx, (trx) => getTransaction(trx, transfer.debit.id))).status).toBe('void');
    expect([await balance(ctx, from), await balance(ctx, to)]).toEqual(['100.00', '0.00']);
  });

  it('transfers: pending legs post together; concurrent voids of both legs do not deadlock', async () => {
    const ctx = await fx.tenant();
    const from = await account(ctx, 'USD', 'from');
    const to = await account(ctx, 'USD', 'to');
    const t = await fx.as(ctx, (trx) =>
      createTransfer(trx, ctx, {
        from_account_id: from,
        to_account_id: to,
        amount: '7',
        currency: 'USD',
        status: 'pending',
        occurred_at: daysAgo(0),
      }),
    );
    expect([await balance(ctx, from), await balance(ctx, to)]).toEqual(['0.00', '0.00']);
    await fx.as(ctx, (trx) => postTransaction(trx, ctx, t.debit.id));
    expect([await balance(ctx, from), await balance(ctx, to)]).toEqual(['-7.00', '7.00']);
    const results = await Promise.allSettled([
      fx.as(ctx, (trx) => voidTransaction(trx, ctx, t.debit.id)),
      fx.as(ctx, (trx) => voidTransaction(trx, ctx, t.credit.id)),
    ]);
    const statuses = results.map((r) =>
      r.status === 'fulfilled' ? 200 : (r.reason as { statusCode?: number }).statusCode,
    );
    expect(statuses.sort()).toEqual([200, 409]);
    expect([await balance(ctx, from), await balance(ctx, to)]).toEqual(['0.00', '0.00']);
  });

  it('transfers: refuses same account, mismatched currency, unknown account', async () => {
    const ctx = await fx.tenant();
    const usd = await account(ctx, 'USD', 'usd');
    const usd2 = await account(ctx, 'USD', 'usd2');
    const eur = await account(ctx, 'EUR', 'eur');
    const base = { amount: '1.00', currency: 'USD', occurred_at: daysAgo(0) };
    const before = await fx.counts();
    await expect(
      fx.as(ctx, (trx) => createTransfer(trx, ctx, { ...base, from_account_id: usd, to_account_id: usd })),
    ).rejects.toMatchObject({ statusCode: 400, details: { field: 'to_account_id' } });
    await expect(
      fx.as(ctx, (trx) => createTransfer(trx, ctx, { ...base, from_account_id: usd, to_account_id: eur })),
    ).rejects.toMatchObject({ statusCode: 400, details: { field: 'currency' } });
    await expect(
      fx.as(ctx, (trx) =>
        createTransfer(trx, ctx, {
          ...base,
          from_account_id: usd,
          to_account_id: '22222222-2222-4222-8222-222222222222',
        }),
      ),
    ).rejects.toMatchObject({ statusCode: 404, details: { field: 'to_account_id' } });
    await expect(
      fx.as(ctx, (trx) =>
        createTransfer(trx, ctx, { ...base, amount: '0', from_account_id: usd, to_account_id: usd2 }),
      ),
    ).rejects.toMatchObject({ statusCode: 400, details: { field: 'amount' } });
    expect(await fx.counts()).toEqual(before);
  });
});
