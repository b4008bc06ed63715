import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { createKnex } from '../../../app/db/knex.js';
import { withTenant } from '../../../app/db/tenant-scope.js';
import { accountSummaries } from '../../../app/domain/dashboard/accounts.js';
import { budgetStatuses } from '../../../app/domain/dashboard/budgets.js';
import { fullDashboard } from '../../../app/domain/dashboard/dashboard.js';
import { financialSummary } from '../../../app/domain/dashboard/summary.js';
import { transactionSummary } from '../../../app/domain/dashboard/transactions.js';
import { createTestDatabase, type TestDatabase } from '../../harness/postgres.js';
import {
  addAccount,
  addBudget,
  addRate,
  addTransaction,
  addTransfer,
  asTenant,
  createTenantRow,
  monthStart,
} from './fixtures.js';

const HOUR = 3_600_000;

describe('dashboard domain queries on hand-built data', () => {
  let db: TestDatabase;
  let owner: Knex;
  let api: Knex;
  let la: string; // America/Los_Angeles, base USD
  let kolkata: string; // Asia/Kolkata, base INR
  const ids = {} as Record<'chk' | 'card' | 'yen' | 'kwd' | 'eur' | 'utilities', string>;
  let thisMonth: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = createKnex({ url: db.ownerUrl });
    api = createKnex({ url: db.appUrl });

    await addRate(owner, 'EUR', 'USD', '1.08', '2024-01-01');
    await addRate(owner, 'EUR', 'USD', '1.10', '2024-02-01');
    await addRate(owner, 'USD', 'JPY', '150', '2024-02-01'); // only the inverse exists for JPY→USD

    la = await createTenantRow(owner, {
      timezone: 'America/Los_Angeles',
      baseCurrency: 'USD',
      name: 'dash-la',
    });
    const start = await monthStart(owner, 'America/Los_Angeles');
    thisMonth = (
      await owner.raw<{ rows: Array<{ m: string }> }>(
        `select to_char(now() at time zone 'America/Los_Angeles', 'YYYY-MM') as m`,
      )
    ).rows[0]!.m;

    await asTenant(owner, la, async (trx) => {
      const chk = await addAccount(trx, la, { name: 'Checking', currency: 'USD' });
      const card = await addAccount(trx, la, { name: 'Card', currency: 'USD', account_type: 'credit_card' });
      const yen = await addAccount(trx, la, { name: 'Yen cash', currency: 'JPY', account_type: 'cash' });
      const kwd = await addAccount(trx, la, {
        name: 'Dinar savings',
        currency: 'KWD',
        account_type: 'savings',
      });
      const eur = await addAccount(trx, la, { name: 'Old euro', currency: 'EUR' });
      Object.assign(ids, { chk, card, yen, kwd, eur });
      const t = (spec: Omit<Parameters<typeof addTransaction>[2], 'currency'> & { currency?: string }) =>
        addTransaction(trx, la, { currency: 'USD', ...spec });
      // 2024-01-31 20:00 in Los Angeles is already February in UTC: it belongs to January here.
      await t({
        account: chk,
        amount: '5000.00',
        type: 'income',
        at: '2024-02-01T04:00:00Z',
        category: 'salary',
        description: 'ACME payroll',
      });
      await t({
        account: chk,
        amount: '120.55',
        type: 'expense',
        at: '2024-02-01T07:30:00Z',
        category: 'groceries',
      });
      await t({
        account: chk,
        amount: '80.45',
        type: 'expense',
        at: '2024-02-01T08:30:00Z',
        category: 'groceries',
      });
      await t({
        account: card,
        amount: '45.10',
        type: 'expense',
        at: '2024-02-10T12:00:00Z',
        category: 'dining',
        status: 'pending',
      });
      await t({
        account: card,
        amount: '300.00',
        type: 'expense',
        at: '2024-02-11T12:00:00Z',
        category: 'dining',
        status: 'void',
      });
      await addTransfer(trx, la, {
        from: chk,
        to: card,
        amount: '200.00',
        currency: 'USD',
        at: '2024-02-15T12:00:00Z',
      });
      await t({
        account: yen,
        amount: '1500',
        currency: 'JPY',
        type: 'expense',
        at: '2024-02-20T03:00:00Z',
        category: 'food',
      });
      await t({
        account: yen,
        amount: '10000',
        currency: 'JPY',
        type: 'income',
        at: '2024-03-01T07:59:59Z',
        category: 'gift',
      });
      await t({
        account: kwd,
        amount: '1.235',
        currency: 'KWD',
        type: 'income',
        at: '2024-03-05T00:00:00Z',
        category: 'interest',
      });
      await t({
        account: kwd,
        amount: '0.500',
        currency: 'KWD',
        type: 'expense',
        at: '2024-03-05T00:00:01Z',
        category: 'fees',
      });
      await t({
        account: chk,
        amount: '1500.00',
        type: 'expense',
        at: '2024-03-01T08:00:00Z',
        category: 'rent',
      });
      ids.utilities = await t({
        account: chk,
        amount: '60.00',
        type: 'expense',
        at: '2024-03-10T18:00:00Z',
        category: 'utilities',
        status: 'pending',
      });
      await t({
        account: eur,
        amount: '99.99',
        currency: 'EUR',
        type: 'expense',
        at: '2024-01-05T12:00:00Z',
        category: 'travel',
      });
      // This month in Los Angeles, and one hour before it began.
      await t({
        account: chk,
        amount: '100.00',
        type: 'income',
        at: new Date(start.getTime() + HOUR).toISOString(),
        category: 'refund',
      });
      await t({
        account: chk,
        amount: '30.25',
        type: 'expense',
        at: new Date(start.getTime() + 2 * HOUR).toISOString(),
        category: 'coffee',
      });
      await t({
        account: chk,
        amount: '10.00',
        type: 'expense',
        at: new Date(start.getTime() - HOUR).toISOString(),
        category: 'coffee',
      });
      await addBudget(trx, la, {
        name: 'Yen food',
        category: 'food',
        currency: 'JPY',
        total: '1000',
        start: '2024-02-01',
        end: '2024-02-29',
      });
    });
    // A pending transaction posts later; an account is closed later.
    await asTenant(owner, la, async (trx) => {
      await trx('transactions').where({ id: ids.utilities }).update({ status: 'posted' });
      await trx('accounts').where({ id: ids.eur }).update({ is_active: false });
    });

    kolkata = await createTenantRow(owner, {
      timezone: 'Asia/Kolkata',
      baseCurrency: 'INR',
      name: 'dash-kolkata',
    });
    await asTenant(owner, kolkata, async (trx) => {
      const inr = await addAccount(trx, kolkata, {
        name: 'Savings',
        currency: 'INR',
        account_type: 'savings',
      });
      const inr2 = await addAccount(trx, kolkata, { name: 'Current', currency: 'INR' });
      const usd = await addAccount(trx, kolkata, {
        name: 'Dollar card',
        currency: 'USD',
        account_type: 'credit_card',
      });
      const t = (spec: Omit<Parameters<typeof addTransaction>[2], 'currency'> & { currency?: string }) =>
        addTransaction(trx, kolkata, { currency: 'INR', ...spec });
      await t({
        account: inr,
        amount: '1000.00',
        type: 'expense',
        at: '2024-01-31T18:29:59Z',
        category: 'groceries',
      }); // Jan 31 23:59:59 IST
      await t({
        account: inr,
        amount: '2000.00',
        type: 'expense',
        at: '2024-01-31T18:30:00Z',
        category: 'groceries',
      }); // Feb 1 00:00 IST
      await t({
        account: inr,
        amount: '500.00',
        type: 'expense',
        at: '2024-02-15T06:00:00Z',
        category: 'dining',
      });
      await t({
        account: inr,
        amount: '700.00',
        type: 'expense',
        at: '2024-02-16T06:00:00Z',
        category: 'dining',
        status: 'pending',
      });
      await t({
        account: inr,
        amount: '900.00',
        type: 'expense',
        at: '2024-02-17T06:00:00Z',
        category: 'dining',
        status: 'void',
      });
      await t({
        account: usd,
        amount: '50.00',
        currency: 'USD',
        type: 'expense',
        at: '2024-02-10T06:00:00Z',
        category: 'groceries',
      });
      await addTransfer(trx, kolkata, {
        from: inr,
        to: inr2,
        amount: '5000.00',
        currency: 'INR',
        at: '2024-02-05T06:00:00Z',
      });
      await t({
        account: inr,
        amount: '300.00',
        type: 'expense',
        at: '2024-02-29T18:30:00Z',
        category: 'groceries',
      }); // Mar 1 IST
      await t({
        account: inr,
        amount: '100000.00',
        type: 'income',
        at: '2024-02-01T06:00:00Z',
        category: 'salary',
      });
      const b = (
        name: string,
        category: string | null,
        currency: string,
        total: string,
        start: string,
        end: string,
      ) => addBudget(trx, kolkata, { name, category, currency, total, start, end });
      await b('Feb groceries', 'groceries', 'INR', '2500.00', '2024-02-01', '2024-02-29');
      await b('Feb everything', null, 'INR', '2000.00', '2024-02-01', '2024-02-29');
      await b('Mid Jan to Mar 1', 'groceries', 'INR', '10000.00', '2024-01-15', '2024-03-01');
      await b('Dollar groceries', 'groceries', 'USD', '40.00', '2024-02-01', '2024-02-29');
      await b('One day', 'groceries', 'INR', '3000.00', '2024-02-01', '2024-02-01');
      await b('Inside January', 'groceries', 'INR', '500.00', '2024-01-10', '2024-01-31');
    });
  });

  afterAll(async () => {
    await api.destroy();
    await owner.destroy();
    await db.drop();
  });

  const read = <T>(tenant: string, work: (trx: Knex.Transaction) => Promise<T>) =>
    withTenant(api, tenant, work, { readOnly: true });

  it('summarises balances per currency, converts with the rates it states, and counts non-void rows', async () => {
    const summary = await read(la, (trx) => financialSummary(trx, {}));
    expect(summary).toEqual({
      total_balance: [
        { currency: 'EUR', amount: '-99.99' },
        { currency: 'JPY', amount: '8500' },
        { currency: 'KWD', amount: '0.735' },
        { currency: 'USD', amount: '3298.75' },
      ],
      // 3298.75 + (-99.99 × 1.1) + 8500 × 0.0066666667 = 3245.42766695; KWD has no rate.
      total_balance_converted: {
        currency: 'USD',
        amount: '3245.43',
        rates: { EUR: '1.1', JPY: '0.0066666667' },
        missing_rates: ['KWD'],
        complete: false,
      },
      total_accounts: 5,
      active_accounts: 4,
      total_transactions: 16,
      pending_transactions: 1,
      this_month: thisMonth,
      this_month_amount: [{ currency: 'USD', amount: '69.75' }],
      this_month_income: [{ currency: 'USD', amount: '100.00' }],
      this_month_expenses: [{ currency: 'USD', amount: '30.25' }],
    });
  });

  it('counts only the days of the range, in the tenant timezone', async () => {
    const feb = await read(la, (trx) => financialSummary(trx, { from: '2024-02-01', to: '2024-02-29' }));
    expect([feb.total_transactions, feb.pending_transactions]).toEqual([6, 1]);
    const edges = await read(la, (trx) => financialSummary(trx, { from: '2024-01-31', to: '2024-03-01' }));
    expect(edges.total_transactions).toBe(9);
    const openEnd = await read(la, (trx) => financialSummary(trx, { from: '2024-03-02' }));
    expect(openEnd.total_transactions).toBe(6); // KWD ×2, utilities, and the three around this month
  });

  it('lists accounts with balances rounded to their currency', async () => {
    // Accounts come in creation order; these five were created in one transaction (same created_at).
    const accounts = await read(la, (trx) => accountSummaries(trx));
    const byId = (a: { account_id: string }, b: { account_id: string }) =>
      a.account_id.localeCompare(b.account_id);
    expect([...accounts].sort(byId)).toEqual(
      [
        {
          account_id: ids.chk,
          name: 'Checking',
          account_type: 'checking',
          balance: '3098.75',
          currency: 'USD',
          is_active: true,
        },
        {
          account_id: ids.card,
          name: 'Card',
          account_type: 'credit_card',
          balance: '200.00',
          currency: 'USD',
          is_active: true,
        },
        {
          account_id: ids.yen,
          name: 'Yen cash',
          account_type: 'cash',
          balance: '8500',
          currency: 'JPY',
          is_active: true,
        },
        {
          account_id: ids.kwd,
          name: 'Dinar savings',
          account_type: 'savings',
          balance: '0.735',
          currency: 'KWD',
          is_active: true,
        },
        {
          account_id: ids.eur,
          name: 'Old euro',
          account_type: 'checking',
          balance: '-99.99',
          currency: 'EUR',
          is_active: false,
        },
      ].sort(byId),
    );
  });

  it('totals posted income and expenses per currency, leaving transfers, pending and void out', async () => {
    const summary = await read(la, (trx) => transactionSummary(trx, {}, { includeDescriptions: true }));
    expect(summary.total_transactions).toBe(16);
    expect(summary.pending_transactions).toBe(1);
    expect(summary.total_amount).toEqual([
      { currency: 'EUR', amount: '99.99' },
      { currency: 'JPY', amount: '11500' },
      { currency: 'KWD', amount: '1.735' },
      { currency: 'USD', amount: '6901.25' },
    ]);
    expect(summary.avg_amount).toEqual([
      { currency: 'EUR', amount: '99.99' },
      { currency: 'JPY', amount: '5750' },
      { currency: 'KWD', amount: '0.868' }, // 0.8675 rounds half away from zero
      { currency: 'USD', amount: '862.66' }, // 6901.25 / 8 = 862.65625
    ]);
    expect(summary.income).toEqual([
      { currency: 'EUR', amount: '0.00' },
      { currency: 'JPY', amount: '10000' },
      { currency: 'KWD', amount: '1.235' },
      { currency: 'USD', amount: '5100.00' },
    ]);
    expect(summary.expenses).toEqual([
      { currency: 'EUR', amount: '99.99' },
      { currency: 'JPY', amount: '1500' },
      { currency: 'KWD', amount: '0.500' },
      { currency: 'USD', amount: '1801.25' },
    ]);
    expect(summary.by_category).toEqual([
      { category: 'travel', currency: 'EUR', amount: '99.99', count: 1 },
      { category: 'food', currency: 'JPY', amount: '1500', count: 1 },
      { category: 'fees', currency: 'KWD', amount: '0.500', count: 1 },
      { category: 'rent', currency: 'USD', amount: '1500.00', count: 1 },
      { category: 'groceries', currency: 'USD', amount: '201.00', count: 2 },
      { category: 'utilities', currency: 'USD', amount: '60.00', count: 1 },
      { category: 'coffee', currency: 'USD', amount: '40.25', count: 2 },
    ]);
    // Twelve months ending with this month; only USD moved in that window.
    expect(summary.monthly_trend).toHaveLength(12);
    expect(summary.monthly_trend.at(-1)).toEqual({
      month: thisMonth,
      currency: 'USD',
      income: '100.00',
      expenses: '30.25',
      net: '69.75',
      count: 2,
    });
    expect(summary.monthly_trend.at(-2)).toMatchObject({
      currency: 'USD',
      income: '0.00',
      expenses: '10.00',
      net: '-10.00',
      count: 1,
    });
    expect(summary.monthly_trend.slice(0, 10).every((p) => p.count === 0 && p.net === '0.00')).toBe(true);
    expect(summary.recent_transactions.map((r) => [r.category, r.amount, r.currency, r.status])).toEqual([
      ['coffee', '30.25', 'USD', 'posted'],
      ['refund', '100.00', 'USD', 'posted'],
      ['coffee', '10.00', 'USD', 'posted'],
      ['utilities', '60.00', 'USD', 'posted'],
      ['fees', '0.500', 'KWD', 'posted'],
      ['interest', '1.235', 'KWD', 'posted'],
      ['rent', '1500.00', 'USD', 'posted'],
      ['gift', '10000', 'JPY', 'posted'],
      ['food', '1500', 'JPY', 'posted'],
      ['transfer', '200.00', 'USD', 'posted'],
    ]);
    expect(summary.recent_transactions[0]).toHaveProperty('description', '');
  });

  it('restricts totals, trend and recent rows to the range, by local day', async () => {
    const feb = await read(la, (trx) =>
      transactionSummary(trx, { from: '2024-02-01', to: '2024-02-29' }, { includeDescriptions: false }),
    );
    expect(feb.total_transactions).toBe(6);
    expect(feb.income).toEqual([
      { currency: 'JPY', amount: '10000' },
      { currency: 'USD', amount: '0.00' },
    ]);
    expect(feb.expenses).toEqual([
      { currency: 'JPY', amount: '1500' },
      { currency: 'USD', amount: '80.45' },
    ]);
    expect(feb.monthly_trend).toEqual([
      { month: '2024-02', currency: 'JPY', income: '10000', expenses: '1500', net: '8500', count: 2 },
      { month: '2024-02', currency: 'USD', income: '0.00', expenses: '80.45', net: '-80.45', count: 4 },
    ]);
    expect(feb.recent_transactions.map((r) => [r.category, r.amount, r.occurred_at])).toEqual([
      ['gift', '10000', '2024-03-01T07:59:59.000Z'],
      ['food', '1500', '2024-02-20T03:00:00.000Z'],
      ['transfer', '200.00', '2024-02-15T12:00:00.000Z'],
      ['transfer', '200.00', '2024-02-15T12:00:00.000Z'],
      ['dining', '45.10', '2024-02-10T12:00:00.000Z'],
      ['groceries', '80.45', '2024-02-01T08:30:00.000Z'],
    ]);
    for (const row of feb.recent_transactions) expect(row).not.toHaveProperty('description');

    const span = await read(la, (trx) =>
      transactionSummary(trx, { from: '2024-01-31', to: '2024-03-01' }, { includeDescriptions: false }),
    );
    expect(span.monthly_trend.map((p) => [p.month, p.currency, p.income, p.expenses, p.count])).toEqual([
      ['2024-01', 'JPY', '0', '0', 0],
      ['2024-01', 'USD', '5000.00', '120.55', 2],
      ['2024-02', 'JPY', '10000', '1500', 2],
      ['2024-02', 'USD', '0.00', '80.45', 4],
      ['2024-03', 'JPY', '0', '0', 0],
      ['2024-03', 'USD', '0.00', '1500.00', 1],
    ]);
  });

  it('derives budget spending from posted expenses in the budget currency, category and local days', async () => {
    const budgets = await read(kolkata, (trx) => budgetStatuses(trx, {}));
    const view = budgets.map((b) => [
      b.name,
      b.category,
      b.currency,
      b.total_amount,
      b.spent_amount,
      b.remaining,
      b.percentage_used,
      b.is_over_budget,
      b.start_date,
      b.end_date,
    ]);
    expect(view).toEqual(
      [
        [
          'Mid Jan to Mar 1',
          'groceries',
          'INR',
          '10000.00',
          '3300.00',
          '6700.00',
          '33.00',
          false,
          '2024-01-15',
          '2024-03-01',
        ],
        [
          'Dollar groceries',
          'groceries',
          'USD',
          '40.00',
          '50.00',
          '-10.00',
          '125.00',
          true,
          '2024-02-01',
          '2024-02-29',
        ],
        [
          'Feb everything',
          null,
          'INR',
          '2000.00',
          '2500.00',
          '-500.00',
          '125.00',
          true,
          '2024-02-01',
          '2024-02-29',
        ],
        [
          'Feb groceries',
          'groceries',
          'INR',
          '2500.00',
          '2000.00',
          '500.00',
          '80.00',
          false,
          '2024-02-01',
          '2024-02-29',
        ],
        [
          'One day',
          'groceries',
          'INR',
          '3000.00',
          '2000.00',
          '1000.00',
          '66.67',
          false,
          '2024-02-01',
          '2024-02-01',
        ],
        [
          'Inside January',
          'groceries',
          'INR',
          '500.00',
          '1000.00',
          '-500.00',
          '200.00',
          true,
          '2024-01-10',
          '2024-01-31',
        ],
      ].sort((a, b) => String(b[8]).localeCompare(String(a[8])) || String(a[0]).localeCompare(String(b[0]))),
    );

    const march = await read(kolkata, (trx) => budgetStatuses(trx, { from: '2024-03-01' }));
    expect(march.map((b) => b.name)).toEqual(['Mid Jan to Mar 1']);
    const yen = await read(la, (trx) => budgetStatuses(trx, {}));
    expect(yen).toEqual([
      expect.objectContaining({
        name: 'Yen food',
        total_amount: '1000',
        spent_amount: '1500',
        remaining: '-500',
        percentage_used: '150.00',
        is_over_budget: true,
      }),
    ]);
  });

  it('assembles the full dashboard from one transaction', async () => {
    const dashboard = await read(kolkata, (trx) => fullDashboard(trx, {}, { includeDescriptions: false }));
    expect(dashboard.tenant_info).toEqual({
      id: kolkata,
      name: 'dash-kolkata',
      type: 'organization',
      display_name: 'Tenant dash-kolkata',
      base_currency: 'INR',
      timezone: 'Asia/Kolkata',
    });
    expect(dashboard.financial_summary.total_balance).toEqual([
      { currency: 'INR', amount: '96200.00' },
      { currency: 'USD', amount: '-50.00' },
    ]);
    expect(dashboard.financial_summary.total_balance_converted).toEqual({
      currency: 'INR',
      amount: '96200.00',
      rates: {},
      missing_rates: ['USD'],
      complete: false,
    });
    expect(dashboard.account_summaries).toHaveLength(3);
    // Every budget of this tenant ended in 2024: none is in effect today, so none is listed…
    expect(dashboard.budget_statuses).toEqual([]);
    expect(dashboard.transaction_summary.total_transactions).toBe(9);
    // …while a range lists the budgets overlapping it, exactly as /budgets does.
    const february = { from: '2024-02-01', to: '2024-02-29' };
    const ranged = await read(kolkata, (trx) => fullDashboard(trx, february, { includeDescriptions: false }));
    expect(ranged.budget_statuses.map((b) => b.name)).toEqual([
      'Dollar groceries',
      'Feb everything',
      'Feb groceries',
      'One day',
      'Mid Jan to Mar 1',
    ]);
    expect(ranged.budget_statuses).toEqual(await read(kolkata, (trx) => budgetStatuses(trx, february)));
  });

  it('sees nothing without a tenant in scope, and only its own tenant with one', async () => {
    const bare = await api.transaction(async (trx) => ({
      accounts: (await trx('accounts').count<Array<{ count: number }>>('* as count'))[0]?.count,
      daily: (await trx('transaction_rollups_daily').count<Array<{ count: number }>>('* as count'))[0]?.count,
      monthly: (await trx('transaction_rollups_monthly').count<Array<{ count: number }>>('* as count'))[0]
        ?.count,
      budgets: (await trx('budgets').count<Array<{ count: number }>>('* as count'))[0]?.count,
    }));
    expect(bare).toEqual({ accounts: 0, daily: 0, monthly: 0, budgets: 0 });
    await expect(api.transaction((trx) => financialSummary(trx, {}))).rejects.toThrow(/no tenant in scope/);
    const accounts = await read(kolkata, (trx) => accountSummaries(trx));
    expect(accounts.map((a) => a.name).sort()).toEqual(['Current', 'Dollar card', 'Savings']);
  });
});
