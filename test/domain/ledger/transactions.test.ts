import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { deactivateAccount } from '../../../app/domain/ledger/accounts.js';
import { postTransaction, voidTransaction } from '../../../app/domain/ledger/transaction-status.js';
import {
  createTransaction,
  getTransaction,
  listTransactions,
  type NewTransaction,
} from '../../../app/domain/ledger/transactions.js';
import { createTransfer } from '../../../app/domain/ledger/transfers.js';
import { daysAgo, ledgerFixture, type LedgerFixture } from './fixtures.js';
import { accountHelpers } from './transaction-helpers.js';

// Single entries: created with exact values, posted and voided, refused naming the field; tenants isolated.
// Batches: transaction-batches.test.ts; transfers: transfers.test.ts; listing: transaction-list.test.ts.

describe('ledger transactions (domain, real PostgreSQL as the API role)', () => {
  let fx: LedgerFixture;

  beforeAll(async () => {
    fx = await ledgerFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  const { account, balance } = accountHelpers(() => fx);

  it('creates income and expense entries that move the balance, with exact values', async () => {
    const ctx = await fx.tenant();
    const id = await account(ctx);
    const income = await fx.as(ctx, (trx) =>
      createTransaction(trx, ctx, {
        account_id: id,
        amount: '1250.5',
        currency: 'USD',
        transaction_type: 'income',
        category: 'salary',
        description: 'November pay',
        occurred_at: '2026-11-01T09:00:00+01:00',
      }),
    );
    expect(income).toEqual({
      id: expect.any(String),
      account_id: id,
      amount: '1250.50',
      currency: 'USD',
      transaction_type: 'income',
      direction: 'credit',
      status: 'posted',
      category: 'salary',
      description: 'November pay',
      occurred_at: '2026-11-01T08:00:00.000Z',
      transfer_id: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const expense = await fx.as(ctx, (trx) =>
      createTransaction(trx, ctx, {
        account_id: id,
        amount: '0.25',
        currency: 'USD',
        transaction_type: 'expense',
        occurred_at: '2026-11-02T10:00:00Z',
      }),
    );
    expect(expense).toMatchObject({ direction: 'debit', category: 'uncategorized', description: '' });
    expect(await balance(ctx, id)).toBe('1250.25');
    expect(await fx.as(ctx, (trx) => getTransaction(trx, income.id))).toEqual(income);
    const audit = await fx
      .superuser('audit_events')
      .where({ tenant_id: ctx.tenantId, action: 'transaction.create' });
    expect(audit).toHaveLength(2);
  });

  it('pending entries do not count until posted; void removes them; both audited', async () => {
    const ctx = await fx.tenant();
    const id = await account(ctx, 'JPY');
    const pending = await fx.as(ctx, (trx) =>
      createTransaction(trx, ctx, {
        account_id: id,
        amount: '5000',
        currency: 'JPY',
        transaction_type: 'income',
        status: 'pending',
        occurred_at: daysAgo(2),
      }),
    );
    expect(await balance(ctx, id)).toBe('0');
    const posted = await fx.as(ctx, (trx) => postTransaction(trx, ctx, pending.id));
    expect(posted.status).toBe('posted');
    expect(await balance(ctx, id)).toBe('5000');
    await expect(fx.as(ctx, (trx) => postTransaction(trx, ctx, pending.id))).rejects.toMatchObject({
      statusCode: 409,
    });
    const voided = await fx.as(ctx, (trx) => voidTransaction(trx, ctx, pending.id));
    expect(voided.status).toBe('void');
    expect(await balance(ctx, id)).toBe('0');
    await expect(fx.as(ctx, (trx) => voidTransaction(trx, ctx, pending.id))).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringContaining('already void'),
    });
    await expect(fx.as(ctx, (trx) => postTransaction(trx, ctx, pending.id))).rejects.toMatchObject({
      statusCode: 409,
    });
    const actions = await fx
      .superuser('audit_events')
      .where({ resource_id: pending.id })
      .orderBy('occurred_at');
    expect(actions.map((a: { action: string }) => a.action)).toEqual([
      'transaction.create',
      'transaction.post',
      'transaction.void',
    ]);
  });

  it('refuses bad entries naming the field and writes nothing', async () => {
    const ctx = await fx.tenant();
    const usd = await account(ctx, 'USD');
    const good: NewTransaction = {
      account_id: usd,
      amount: '10.00',
      currency: 'USD',
      transaction_type: 'expense',
      occurred_at: daysAgo(1),
    };
    const future = new Date(Date.now() + 400 * 86_400_000).toISOString();
    const cases: Array<[Partial<Record<keyof NewTransaction, string>>, string, number]> = [
      [{ currency: 'EUR' }, 'currency', 400],
      [{ currency: 'XYZ' }, 'currency', 400],
      [{ amount: '10.001' }, 'amount', 400],
      [{ amount: '-5' }, 'amount', 400],
      [{ amount: '0.00' }, 'amount', 400],
      [{ amount: '1e3' }, 'amount', 400],
      [{ amount: '1234567890123456' }, 'amount', 400],
      [{ occurred_at: '2026-02-30T00:00:00Z' }, 'occurred_at', 400],
      [{ occurred_at: '2026-01-01T00:00:00' }, 'occurred_at', 400],
      [{ occurred_at: '2026-01-01' }, 'occurred_at', 400],
      [{ occurred_at: '1899-12-31T23:59:59Z' }, 'occurred_at', 400],
      [{ occurred_at: future }, 'occurred_at', 400],
      [{ category: '' }, 'category', 400],
      [{ category: 'c'.repeat(101) }, 'category', 400],
      [{ description: 'd'.repeat(1001) }, 'description', 400],
      [{ transaction_type: 'transfer' }, 'transaction_type', 400],
      [{ status: 'void' }, 'status', 400],
      [{ account_id: 'not-a-uuid' }, 'account_id', 400],
      [{ account_id: '00000000-0000-4000-8000-000000000000' }, 'account_id', 404],
    ];
    const before = await fx.counts();
    for (const [patch, field, statusCode] of cases) {
      await expect(
        fx.as(ctx, (trx) => createTransaction(trx, ctx, { ...good, ...patch })),
      ).rejects.toMatchObject({ statusCode, details: { field } });
    }
    expect(await fx.counts()).toEqual(before);
    expect(await balance(ctx, usd)).toBe('0.00');
  });

  it('refuses entries on an inactive account (404 naming account_id)', async () => {
    const ctx = await fx.tenant();
    const id = await account(ctx);
    await fx.as(ctx, (trx) => deactivateAccount(trx, ctx, id));
    await expect(
      fx.as(ctx, (trx) =>
        createTransaction(trx, ctx, {
          account_id: id,
          amount: '1',
          currency: 'USD',
          transaction_type: 'income',
          occurred_at: daysAgo(0),
        }),
      ),
    ).rejects.toMatchObject({
      statusCode: 404,
      details: { field: 'account_id' },
      message: expect.stringContaining('inactive'),
    });
  });

  it('stores SQL-looking text verbatim', async () => {
    const ctx = await fx.tenant();
    const id = await account(ctx);
    const nasty = "'; DELETE FROM transactions; --";
    const t = await fx.as(ctx, (trx) =>
      createTransaction(trx, ctx, {
        account_id: id,
        amount: '1.00',
        currency: 'USD',
        transaction_type: 'expense',
        category: nasty,
        description: `${nasty} 💸 ünïcode`,
        occurred_at: daysAgo(0),
      }),
    );
    expect(await fx.as(ctx, (trx) => getTransaction(trx, t.id))).toMatchObject({
      category: nasty,
      description: `${nasty} 💸 ünïcode`,
    });
    const filtered = await fx.as(ctx, (trx) => listTransactions(trx, ctx, { category: nasty }));
    expect(filtered.data.map((x) => x.id)).toEqual([t.id]);
  });

  it("isolates tenants: others' accounts and transactions are invisible (404)", async () => {
    const alice = await fx.tenant();
    const bob = await fx.tenant();
    const aliceAccount = await account(alice);
    const bobAccount = await account(bob);
    const t = await fx.as(alice, (trx) =>
      createTransaction(trx, alice, {
        account_id: aliceAccount,
        amount: '3',
        currency: 'USD',
        transaction_type: 'income',
        occurred_at: daysAgo(0),
      }),
    );
    await expect(fx.as(bob, (trx) => getTransaction(trx, t.id))).rejects.toMatchObject({ statusCode: 404 });
    await expect(fx.as(bob, (trx) => voidTransaction(trx, bob, t.id))).rejects.toMatchObject({
      statusCode: 404,
    });
    await expect(
      fx.as(bob, (trx) =>
        createTransaction(trx, bob, {
          account_id: aliceAccount,
          amount: '3',
          currency: 'USD',
          transaction_type: 'income',
          occurred_at: daysAgo(0),
        }),
      ),
    ).rejects.toMatchObject({ statusCode: 404, details: { field: 'account_id' } });
    await expect(
      fx.as(bob, (trx) =>
        createTransfer(trx, bob, {
          from_account_id: bobAccount,
          to_account_id: aliceAccount,
          amount: '3',
          currency: 'USD',
          occurred_at: daysAgo(0),
        }),
      ),
    ).rejects.toMatchObject({ statusCode: 404, details: { field: 'to_account_id' } });
    expect((await fx.as(bob, (trx) => listTransactions(trx, bob, {}))).data).toEqual([]);
    expect((await fx.as(alice, (trx) => getTransaction(trx, t.id))).status).toBe('posted');
    expect(await balance(alice, aliceAccount)).toBe('3.00');
  });
});
