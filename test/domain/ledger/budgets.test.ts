import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  createBudget,
  deleteBudget,
  getBudget,
  listBudgets,
  updateBudget,
  type NewBudget,
} from '../../../app/domain/ledger/budgets.js';
import { ledgerFixture, type LedgerFixture } from './fixtures.js';

describe('ledger budgets (domain, real PostgreSQL as the API role)', () => {
  let fx: LedgerFixture;

  beforeAll(async () => {
    fx = await ledgerFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  const groceries: NewBudget = {
    name: 'Groceries',
    category: 'food',
    currency: 'USD',
    total_amount: '400.5',
    start_date: '2026-11-01',
    end_date: '2026-11-30',
  };

  it('creates, reads, updates and deletes a budget, auditing each step', async () => {
    const ctx = await fx.tenant();
    const created = await fx.as(ctx, (trx) => createBudget(trx, ctx, groceries));
    expect(created).toEqual({
      id: expect.any(String),
      name: 'Groceries',
      category: 'food',
      currency: 'USD',
      total_amount: '400.50',
      start_date: '2026-11-01',
      end_date: '2026-11-30',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(await fx.as(ctx, (trx) => getBudget(trx, created.id))).toEqual(created);

    const updated = await fx.as(ctx, (trx) =>
      updateBudget(trx, ctx, created.id, { total_amount: '450', category: null, end_date: '2026-12-31' }),
    );
    expect(updated).toMatchObject({
      total_amount: '450.00',
      category: null,
      end_date: '2026-12-31',
      name: 'Groceries',
    });

    await fx.as(ctx, (trx) => deleteBudget(trx, ctx, created.id));
    await expect(fx.as(ctx, (trx) => getBudget(trx, created.id))).rejects.toMatchObject({ statusCode: 404 });

    const audit = await fx
      .superuser('audit_events')
      .where({ resource_id: created.id })
      .orderBy('occurred_at');
    expect(audit.map((a: { action: string; details: unknown }) => [a.action, a.details])).toEqual([
      ['budget.create', { ...groceries, total_amount: '400.50' }],
      [
        'budget.update',
        {
          changes: {
            category: { from: 'food', to: null },
            total_amount: { from: '400.50', to: '450.00' },
            end_date: { from: '2026-11-30', to: '2026-12-31' },
          },
        },
      ],
      ['budget.delete', { ...groceries, category: null, total_amount: '450.00', end_date: '2026-12-31' }],
    ]);
  });

  it('refuses bad budgets naming the field, writing nothing', async () => {
    const ctx = await fx.tenant();
    const before = await fx.counts();
    const cases: Array<[Partial<NewBudget>, string]> = [
      [{ name: '' }, 'name'],
      [{ category: '' }, 'category'],
      [{ currency: 'EURO' }, 'currency'],
      [{ currency: 'JPY' }, 'total_amount'],
      [{ total_amount: '0' }, 'total_amount'],
      [{ total_amount: '99999999999999999' }, 'total_amount'],
      [{ start_date: '2026-13-01' }, 'start_date'],
      [{ start_date: '2026-02-29' }, 'start_date'],
      [{ end_date: '2026-10-31' }, 'end_date'],
      [{ end_date: '3000-01-01' }, 'end_date'],
    ];
    for (const [patch, field] of cases) {
      await expect(
        fx.as(ctx, (trx) => createBudget(trx, ctx, { ...groceries, ...patch })),
      ).rejects.toMatchObject({
        statusCode: 400,
        details: { field },
      });
    }
    expect(await fx.counts()).toEqual(before);
  });

  it('checks an update against the merged budget (currency precision, date order)', async () => {
    const ctx = await fx.tenant();
    const b = await fx.as(ctx, (trx) => createBudget(trx, ctx, groceries));
    await expect(
      fx.as(ctx, (trx) => updateBudget(trx, ctx, b.id, { currency: 'JPY' })),
    ).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'total_amount' },
    });
    await expect(
      fx.as(ctx, (trx) => updateBudget(trx, ctx, b.id, { start_date: '2026-12-01' })),
    ).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'end_date' },
    });
    await expect(fx.as(ctx, (trx) => updateBudget(trx, ctx, b.id, {}))).rejects.toMatchObject({
      statusCode: 400,
    });
    const yen = await fx.as(ctx, (trx) =>
      updateBudget(trx, ctx, b.id, { currency: 'JPY', total_amount: '60000' }),
    );
    expect(yen).toMatchObject({ currency: 'JPY', total_amount: '60000' });
  });

  it('lists with keyset pages and filters', async () => {
    const ctx = await fx.tenant();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const b = await fx.as(ctx, (trx) =>
        createBudget(trx, ctx, {
          ...groceries,
          name: `b${i}`,
          category: i < 2 ? 'rent' : 'food',
          currency: i === 4 ? 'EUR' : 'USD',
        }),
      );
      ids.push(b.id);
    }
    const first = await fx.as(ctx, (trx) => listBudgets(trx, ctx, { limit: 2 }));
    expect(first.data.map((b) => b.id)).toEqual(ids.slice(0, 2));
    const second = await fx.as(ctx, (trx) =>
      listBudgets(trx, ctx, { limit: 2, cursor: first.next_cursor ?? '' }),
    );
    expect(second.data.map((b) => b.id)).toEqual(ids.slice(2, 4));
    const third = await fx.as(ctx, (trx) =>
      listBudgets(trx, ctx, { limit: 2, cursor: second.next_cursor ?? '' }),
    );
    expect(third).toEqual({ data: [expect.objectContaining({ id: ids[4] })], next_cursor: null });
    expect(
      (await fx.as(ctx, (trx) => listBudgets(trx, ctx, { category: 'rent' }))).data.map((b) => b.name),
    ).toEqual(['b0', 'b1']);
    expect(
      (await fx.as(ctx, (trx) => listBudgets(trx, ctx, { currency: 'EUR' }))).data.map((b) => b.name),
    ).toEqual(['b4']);
    // A cursor from another list is refused rather than misread.
    const accountsCursor = `accounts.1767225600000000.${ids[0] ?? ''}`;
    await expect(
      fx.as(ctx, (trx) => listBudgets(trx, ctx, { cursor: accountsCursor })),
    ).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'cursor' },
    });
  });

  it("isolates tenants: another tenant's budget is 404 for read, update and delete", async () => {
    const alice = await fx.tenant();
    const bob = await fx.tenant();
    const b = await fx.as(alice, (trx) => createBudget(trx, alice, groceries));
    await expect(fx.as(bob, (trx) => getBudget(trx, b.id))).rejects.toMatchObject({ statusCode: 404 });
    await expect(
      fx.as(bob, (trx) => updateBudget(trx, bob, b.id, { name: 'mine now' })),
    ).rejects.toMatchObject({ statusCode: 404 });
    await expect(fx.as(bob, (trx) => deleteBudget(trx, bob, b.id))).rejects.toMatchObject({
      statusCode: 404,
    });
    expect((await fx.as(bob, (trx) => listBudgets(trx, bob, {}))).data).toEqual([]);
    expect(await fx.as(alice, (trx) => getBudget(trx, b.id))).toMatchObject({ name: 'Groceries' });
  });
});
