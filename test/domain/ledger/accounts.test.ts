import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  createAccount,
  deactivateAccount,
  deleteAccount,
  getAccount,
  listAccounts,
  updateAccount,
} from '../../../app/domain/ledger/accounts.js';
import { createTransaction } from '../../../app/domain/ledger/transactions.js';
import type { AccountType } from '../../../app/db/models/index.js';
import { daysAgo, ledgerFixture, type LedgerFixture } from './fixtures.js';

describe('ledger accounts (domain, real PostgreSQL as the API role)', () => {
  let fx: LedgerFixture;

  beforeAll(async () => {
    fx = await ledgerFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  it('creates an account with a zero balance formatted to its currency, and audits it', async () => {
    const ctx = await fx.tenant();
    const account = await fx.as(ctx, (trx) =>
      createAccount(trx, ctx, { name: 'Main checking', account_type: 'checking', currency: 'KWD' }),
    );
    expect(account).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Main checking',
      account_type: 'checking',
      currency: 'KWD',
      balance: '0.000',
      is_active: true,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    const audit = await fx.superuser('audit_events').where({ resource_id: account.id });
    expect(audit).toEqual([
      expect.objectContaining({
        tenant_id: ctx.tenantId,
        action: 'account.create',
        resource_type: 'account',
        actor: 'token:test',
        details: { name: 'Main checking', account_type: 'checking', currency: 'KWD' },
      }),
    ]);
    const outbox = await fx.superuser('audit_outbox').where({ tenant_id: ctx.tenantId });
    expect(outbox.map((r: { routing_key: string }) => r.routing_key)).toEqual([
      'audit.organization.account.create',
    ]);
  });

  it('refuses bad input naming the field, writing nothing', async () => {
    const ctx = await fx.tenant();
    const before = await fx.counts();
    const cases: Array<[Record<string, string>, string]> = [
      [{ name: '', account_type: 'cash', currency: 'USD' }, 'name'],
      [{ name: 'x'.repeat(201), account_type: 'cash', currency: 'USD' }, 'name'],
      [{ name: 'nul\u0000byte', account_type: 'cash', currency: 'USD' }, 'name'],
      [{ name: 'ok', account_type: 'piggy_bank', currency: 'USD' }, 'account_type'],
      [{ name: 'ok', account_type: 'cash', currency: 'ABC' }, 'currency'],
      [{ name: 'ok', account_type: 'cash', currency: 'usd' }, 'currency'],
    ];
    for (const [input, field] of cases) {
      await expect(
        fx.as(ctx, (trx) =>
          createAccount(trx, ctx, input as { name: string; account_type: AccountType; currency: string }),
        ),
      ).rejects.toMatchObject({ statusCode: 400, details: { field } });
    }
    expect(await fx.counts()).toEqual(before);
  });

  it('stores SQL-looking names verbatim', async () => {
    const ctx = await fx.tenant();
    const name = "Robert'); DROP TABLE accounts;--";
    const account = await fx.as(ctx, (trx) =>
      createAccount(trx, ctx, { name, account_type: 'cash', currency: 'USD' }),
    );
    expect(await fx.as(ctx, (trx) => getAccount(trx, account.id))).toMatchObject({ name });
    expect(await fx.superuser.schema.hasTable('accounts')).toBe(true);
  });

  it('updates name, type and active flag, auditing what changed', async () => {
    const ctx = await fx.tenant();
    const account = await fx.as(ctx, (trx) =>
      createAccount(trx, ctx, { name: 'Savings', account_type: 'savings', currency: 'EUR' }),
    );
    const updated = await fx.as(ctx, (trx) =>
      updateAccount(trx, ctx, account.id, { name: 'Rainy day', account_type: 'investment' }),
    );
    expect(updated).toMatchObject({
      id: account.id,
      name: 'Rainy day',
      account_type: 'investment',
      currency: 'EUR',
    });
    const deactivated = await fx.as(ctx, (trx) => deactivateAccount(trx, ctx, account.id));
    expect(deactivated.is_active).toBe(false);
    const actions = await fx
      .superuser('audit_events')
      .where({ resource_id: account.id })
      .orderBy('occurred_at');
    expect(actions.map((a: { action: string; details: unknown }) => [a.action, a.details])).toEqual([
      ['account.create', { name: 'Savings', account_type: 'savings', currency: 'EUR' }],
      [
        'account.update',
        {
          changes: {
            name: { from: 'Savings', to: 'Rainy day' },
            account_type: { from: 'savings', to: 'investment' },
          },
        },
      ],
      ['account.deactivate', { changes: { is_active: { from: true, to: false } } }],
    ]);
  });

  it('refuses an empty update', async () => {
    const ctx = await fx.tenant();
    const account = await fx.as(ctx, (trx) =>
      createAccount(trx, ctx, { name: 'A', account_type: 'cash', currency: 'USD' }),
    );
    await expect(fx.as(ctx, (trx) => updateAccount(trx, ctx, account.id, {}))).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it('deletes an unused account but never one with transactions (409: deactivate instead)', async () => {
    const ctx = await fx.tenant();
    const empty = await fx.as(ctx, (trx) =>
      createAccount(trx, ctx, { name: 'Oops', account_type: 'cash', currency: 'USD' }),
    );
    await fx.as(ctx, (trx) => deleteAccount(trx, ctx, empty.id));
    await expect(fx.as(ctx, (trx) => getAccount(trx, empty.id))).rejects.toMatchObject({ statusCode: 404 });

    const used = await fx.as(ctx, (trx) =>
      createAccount(trx, ctx, { name: 'Used', account_type: 'cash', currency: 'USD' }),
    );
    await fx.as(ctx, (trx) =>
      createTransaction(trx, ctx, {
        account_id: used.id,
        amount: '5.00',
        currency: 'USD',
        transaction_type: 'income',
        occurred_at: daysAgo(1),
      }),
    );
    await expect(fx.as(ctx, (trx) => deleteAccount(trx, ctx, used.id))).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringContaining('deactivate it instead'),
    });
    expect(await fx.as(ctx, (trx) => getAccount(trx, used.id))).toMatchObject({
      balance: '5.00',
      is_active: true,
    });
  });

  it('enforces limits.maxAccounts on active accounts with a 429, including on reactivation', async () => {
    const ctx = await fx.tenant({ limits: { maxAccounts: 2 } });
    const make = (name: string) =>
      fx.as(ctx, (trx) => createAccount(trx, ctx, { name, account_type: 'cash', currency: 'USD' }));
    const first = await make('one');
    await make('two');
    await expect(make('three')).rejects.toMatchObject({
      statusCode: 429,
      message: expect.stringContaining('limit (limits.maxAccounts) is 2'),
    });
    await fx.as(ctx, (trx) => deactivateAccount(trx, ctx, first.id));
    const third = await make('three');
    expect(third.name).toBe('three');
    await expect(
      fx.as(ctx, (trx) => updateAccount(trx, ctx, first.id, { is_active: true })),
    ).rejects.toMatchObject({
      statusCode: 429,
    });
    const rows = await fx.superuser('accounts').where({ tenant_id: ctx.tenantId });
    expect(rows).toHaveLength(3);
  });

  it('holds the limit under concurrent creates', async () => {
    const ctx = await fx.tenant({ limits: { maxAccounts: 3 } });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        fx.as(ctx, (trx) =>
          createAccount(trx, ctx, { name: `c${i}`, account_type: 'cash', currency: 'USD' }),
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refusals: unknown[] = results.flatMap((r): unknown[] =>
      r.status === 'rejected' ? [r.reason as unknown] : [],
    );
    expect(refusals).toEqual(Array.from({ length: 5 }, () => expect.objectContaining({ statusCode: 429 })));
  });

  it('lists with keyset pagination and filters, every account exactly once', async () => {
    const ctx = await fx.tenant();
    const made: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const a = await fx.as(ctx, (trx) =>
        createAccount(trx, ctx, {
          name: `acct ${i}`,
          account_type: i % 2 ? 'savings' : 'checking',
          currency: i < 5 ? 'USD' : 'JPY',
        }),
      );
      made.push(a.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await fx.as(ctx, (trx) =>
        listAccounts(trx, ctx, { limit: 3, ...(cursor ? { cursor } : {}) }),
      );
      seen.push(...page.data.map((a) => a.id));
      cursor = page.next_cursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual(made);
    expect(pages).toBe(3);

    const savings = await fx.as(ctx, (trx) => listAccounts(trx, ctx, { account_type: 'savings' }));
    expect(savings.data.map((a) => a.name)).toEqual(['acct 1', 'acct 3', 'acct 5']);
    const yen = await fx.as(ctx, (trx) => listAccounts(trx, ctx, { currency: 'JPY' }));
    expect(yen.data.map((a) => [a.name, a.balance])).toEqual([
      ['acct 5', '0'],
      ['acct 6', '0'],
    ]);
    expect(yen.next_cursor).toBeNull();
    await expect(fx.as(ctx, (trx) => listAccounts(trx, ctx, { cursor: 'garbage' }))).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'cursor' },
    });
    await expect(fx.as(ctx, (trx) => listAccounts(trx, ctx, { limit: 201 }))).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'limit' },
    });
  });

  it("never shows, changes or deletes another tenant's account (404)", async () => {
    const alice = await fx.tenant();
    const bob = await fx.tenant();
    const mine = await fx.as(alice, (trx) =>
      createAccount(trx, alice, { name: 'Alice', account_type: 'cash', currency: 'USD' }),
    );
    await expect(fx.as(bob, (trx) => getAccount(trx, mine.id))).rejects.toMatchObject({ statusCode: 404 });
    await expect(
      fx.as(bob, (trx) => updateAccount(trx, bob, mine.id, { name: 'Bob' })),
    ).rejects.toMatchObject({
      statusCode: 404,
    });
    await expect(fx.as(bob, (trx) => deactivateAccount(trx, bob, mine.id))).rejects.toMatchObject({
      statusCode: 404,
    });
    await expect(fx.as(bob, (trx) => deleteAccount(trx, bob, mine.id))).rejects.toMatchObject({
      statusCode: 404,
    });
    expect((await fx.as(bob, (trx) => listAccounts(trx, bob, {}))).data).toEqual([]);
    expect(await fx.as(alice, (trx) => getAccount(trx, mine.id))).toMatchObject({
      name: 'Alice',
      is_active: true,
    });
  });
});
