import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { createAccount, deactivateAccount, getAccount } from '../../../app/domain/ledger/accounts.js';
import { postTransaction, voidTransaction } from '../../../app/domain/ledger/transaction-status.js';
import {
  createTransaction,
  createTransactions,
  getTransaction,
  listTransactions,
  type NewTransaction,
} from '../../../app/domain/ledger/transactions.js';
import { createTransfer } from '../../../app/domain/ledger/transfers.js';
import type { ActorContext } from '../../../app/domain/context.js';
import { daysAgo, ledgerFixture, type LedgerFixture } from './fixtures.js';

describe('ledger transactions (domain, real PostgreSQL as the API role)', () => {
  let fx: LedgerFixture;

  beforeAll(async () => {
    fx = await ledgerFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  async function account(ctx: ActorContext, currency = 'USD', name = 'Checking'): Promise<string> {
    const a = await fx.as(ctx, (trx) =>
      createAccount(trx, ctx, { name, account_type: 'checking', currency }),
    );
    return a.id;
  }
  const balance = async (ctx: ActorContext, id: string): Promise<string> =>
    (await fx.as(ctx, (trx) => getAccount(trx, id))).balance;

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
