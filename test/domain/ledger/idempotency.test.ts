import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { createAccount, getAccount } from '../../../app/domain/ledger/accounts.js';
import { idempotent, requestHash } from '../../../app/domain/ledger/idempotency.js';
import {
  createTransaction,
  createTransactions,
  type NewTransaction,
} from '../../../app/domain/ledger/transactions.js';
import type { ActorContext } from '../../../app/domain/context.js';
import { daysAgo, ledgerFixture, type LedgerFixture } from './fixtures.js';

describe('idempotent writes (domain, real PostgreSQL)', () => {
  let fx: LedgerFixture;

  beforeAll(async () => {
    fx = await ledgerFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  async function setup(): Promise<{ ctx: ActorContext; accountId: string; body: NewTransaction }> {
    const ctx = await fx.tenant();
    const account = await fx.as(ctx, (trx) =>
      createAccount(trx, ctx, { name: 'A', account_type: 'cash', currency: 'USD' }),
    );
    return {
      ctx,
      accountId: account.id,
      body: {
        account_id: account.id,
        amount: '12.34',
        currency: 'USD',
        transaction_type: 'income',
        occurred_at: daysAgo(1),
      },
    };
  }

  const create = (ctx: ActorContext, key: string | undefined, body: NewTransaction) =>
    fx.as(ctx, (trx) =>
      idempotent(trx, ctx, key, requestHash('POST /financial/transactions', body), async () => ({
        statusCode: 201,
        body: await createTransaction(trx, ctx, body, key),
      })),
    );

  const transactionCount = async (ctx: ActorContext): Promise<number> =>
    (await fx.superuser('transactions').where({ tenant_id: ctx.tenantId })).length;

  it('hashes the same request the same regardless of key order, and differently for another operation', () => {
    expect(requestHash('op', { a: 1, b: { c: [1, 2], d: 'x' } })).toBe(
      requestHash('op', { b: { d: 'x', c: [1, 2] }, a: 1 }),
    );
    expect(requestHash('op', { a: 1 })).not.toBe(requestHash('other', { a: 1 }));
    expect(requestHash('op', { a: '1' })).not.toBe(requestHash('op', { a: 1 }));
  });

  it('replays the first response for the same key and body, writing once', async () => {
    const { ctx, accountId, body } = await setup();
    const first = await create(ctx, 'key-1', body);
    expect(first).toMatchObject({ statusCode: 201, replayed: false });
    const second = await create(ctx, 'key-1', body);
    expect(second).toEqual({ statusCode: 201, body: first.body, replayed: true });
    expect(await transactionCount(ctx)).toBe(1);
    expect((await fx.as(ctx, (trx) => getAccount(trx, accountId))).balance).toBe('12.34');
    const stored = await fx
      .superuser('transactions')
      .where({ tenant_id: ctx.tenantId })
      .first('idempotency_key');
    expect(stored).toEqual({ idempotency_key: 'key-1' });
  });

  it('refuses the same key with a different body (422), writing nothing more', async () => {
    const { ctx, body } = await setup();
    await create(ctx, 'key-2', body);
    await expect(create(ctx, 'key-2', { ...body, amount: '99.00' })).rejects.toMatchObject({
      statusCode: 422,
      message: expect.stringContaining('key-2'),
    });
    expect(await transactionCount(ctx)).toBe(1);
  });

  it('forgets a key whose write failed, so a corrected retry succeeds', async () => {
    const { ctx, body } = await setup();
    await expect(create(ctx, 'key-3', { ...body, currency: 'EUR' })).rejects.toMatchObject({
      statusCode: 400,
    });
    expect(await fx.superuser('idempotency_keys').where({ tenant_id: ctx.tenantId })).toEqual([]);
    expect((await create(ctx, 'key-3', body)).replayed).toBe(false);
    expect(await transactionCount(ctx)).toBe(1);
  });

  it('keeps one write when the same request races itself', async () => {
    const { ctx, accountId, body } = await setup();
    const results = await Promise.all(Array.from({ length: 10 }, () => create(ctx, 'race', body)));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const ids = new Set(results.map((r) => (r.body as { id: string }).id));
    expect(ids.size).toBe(1);
    expect(results.map((r) => r.statusCode)).toEqual(Array.from({ length: 10 }, () => 201));
    expect(await transactionCount(ctx)).toBe(1);
    expect((await fx.as(ctx, (trx) => getAccount(trx, accountId))).balance).toBe('12.34');
  });

  it('scopes keys per tenant: another tenant may use the same key', async () => {
    const a = await setup();
    const b = await setup();
    await create(a.ctx, 'shared', a.body);
    expect((await create(b.ctx, 'shared', b.body)).replayed).toBe(false);
    expect([await transactionCount(a.ctx), await transactionCount(b.ctx)]).toEqual([1, 1]);
  });

  it('covers batches: replay returns the whole batch, once', async () => {
    const { ctx, accountId, body } = await setup();
    const batch = Array.from({ length: 5 }, () => body);
    const run = () =>
      fx.as(ctx, (trx) =>
        idempotent(
          trx,
          ctx,
          'batch-key',
          requestHash('POST /financial/transactions/batch', { transactions: batch }),
          async () => ({
            statusCode: 201,
            body: await createTransactions(trx, ctx, batch),
          }),
        ),
      );
    const [x, y] = await Promise.all([run(), run()]);
    expect(x.body).toEqual(y.body);
    expect([x.replayed, y.replayed].sort()).toEqual([false, true]);
    expect(await transactionCount(ctx)).toBe(5);
    expect((await fx.as(ctx, (trx) => getAccount(trx, accountId))).balance).toBe('61.70');
  });

  it('refuses malformed keys', async () => {
    const { ctx, body } = await setup();
    await expect(create(ctx, '', body)).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'idempotency-key' },
    });
    await expect(create(ctx, 'k'.repeat(201), body)).rejects.toMatchObject({ statusCode: 400 });
    await expect(create(ctx, 'has space', body)).rejects.toMatchObject({ statusCode: 400 });
  });
});
