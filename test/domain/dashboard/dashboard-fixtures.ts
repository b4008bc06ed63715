import type { Knex } from 'knex';

import { createKnex } from '../../../app/db/knex.js';
import { createTestDatabase } from '../../harness/postgres.js';
import { seedKolkata } from './dashboard-kolkata.js';
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

// The hand-built data the dashboard domain tests read, in a fresh database per test file: EUR and JPY rates;
// a Los Angeles tenant (base USD) with USD, JPY, KWD and EUR accounts whose entries sit on local month edges,
// pending, void and around the start of this month, and a JPY budget; and the Kolkata tenant of
// dashboard-kolkata.ts.

const HOUR = 3_600_000;

export type DashboardIds = Record<'chk' | 'card' | 'yen' | 'kwd' | 'eur' | 'utilities', string>;

export interface DashboardData {
  /** The API role's connection (RLS applies). */
  api: Knex;
  /** America/Los_Angeles, base USD. */
  la: string;
  /** Asia/Kolkata, base INR. */
  kolkata: string;
  ids: DashboardIds;
  /** This month in Los Angeles, YYYY-MM. */
  thisMonth: string;
  close: () => Promise<void>;
}

export async function openDashboardData(): Promise<DashboardData> {
  const db = await createTestDatabase();
  const owner = createKnex({ url: db.ownerUrl });
  const api = createKnex({ url: db.appUrl });
  const ids = {} as DashboardIds;

  await addRate(owner, 'EUR', 'USD', '1.08', '2024-01-01');
  await addRate(owner, 'EUR', 'USD', '1.10', '2024-02-01');
  await addRate(owner, 'USD', 'JPY', '150', '2024-02-01'); // only the inverse exists for JPY→USD

  const la = await createTenantRow(owner, {
    timezone: 'America/Los_Angeles',
    baseCurrency: 'USD',
    name: 'dash-la',
  });
  const start = await monthStart(owner, 'America/Los_Angeles');
  const thisMonth = (
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

  const kolkata = await seedKolkata(owner);
  return {
    api,
    la,
    kolkata,
    ids,
    thisMonth,
    close: async () => {
      await api.destroy();
      await owner.destroy();
      await db.drop();
    },
  };
}
