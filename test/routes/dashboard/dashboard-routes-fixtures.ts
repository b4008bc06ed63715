import {
  monthStart,
  addAccount,
  addBudget,
  addRate,
  addTransaction,
  addTransfer,
  asTenant,
} from '../../domain/dashboard/fixtures.js';
import type { TestApp, TestTenant } from '../../harness/app.js';

// What the dashboard route tests share: a Los Angeles tenant reporting in EUR with USD and JPY accounts, a
// month of entries around the start of this month (pending, void, a transfer) and a coffee budget; and an
// empty JPY tenant.

const HOUR = 3_600_000;

export interface DashboardRoutesData {
  tenant: TestTenant;
  empty: TestTenant;
  /** This month in Los Angeles, YYYY-MM. */
  thisMonth: string;
  ids: Record<'chk' | 'yen' | 'budget', string>;
}

export async function seedDashboardRoutes(t: TestApp): Promise<DashboardRoutesData> {
  const ids = {} as Record<'chk' | 'yen' | 'budget', string>;
  const tenant = await t.createTenant({
    timezone: 'America/Los_Angeles',
    baseCurrency: 'EUR',
    name: 'routes-la',
  });
  const empty = await t.createTenant({ name: 'routes-empty', baseCurrency: 'JPY' });
  await addRate(t.owner, 'USD', 'EUR', '0.92', '2024-01-01');
  const start = await monthStart(t.owner, 'America/Los_Angeles');
  const thisMonth = (
    await t.owner.raw<{ rows: Array<{ m: string }> }>(
      `select to_char(now() at time zone 'America/Los_Angeles', 'YYYY-MM') as m`,
    )
  ).rows[0]!.m;
  await asTenant(t.owner, tenant.id, async (trx) => {
    ids.chk = await addAccount(trx, tenant.id, { name: 'Checking', currency: 'USD' });
    const sav = await addAccount(trx, tenant.id, {
      name: 'Savings',
      currency: 'USD',
      account_type: 'savings',
    });
    ids.yen = await addAccount(trx, tenant.id, { name: 'Yen', currency: 'JPY', account_type: 'cash' });
    const at = (offsetHours: number) => new Date(start.getTime() + offsetHours * HOUR).toISOString();
    await addTransaction(trx, tenant.id, {
      account: ids.chk,
      amount: '2500.00',
      currency: 'USD',
      type: 'income',
      at: at(1),
      category: 'salary',
      description: 'Payroll',
    });
    await addTransaction(trx, tenant.id, {
      account: ids.chk,
      amount: '12.34',
      currency: 'USD',
      type: 'expense',
      at: at(2),
      category: 'coffee',
      description: 'Bean There',
    });
    await addTransaction(trx, tenant.id, {
      account: ids.chk,
      amount: '99.00',
      currency: 'USD',
      type: 'expense',
      at: at(3),
      category: 'coffee',
      status: 'pending',
    });
    await addTransaction(trx, tenant.id, {
      account: ids.chk,
      amount: '7.00',
      currency: 'USD',
      type: 'expense',
      at: at(4),
      category: 'coffee',
      status: 'void',
    });
    await addTransfer(trx, tenant.id, {
      from: ids.chk,
      to: sav,
      amount: '500.00',
      currency: 'USD',
      at: at(5),
    });
    await addTransaction(trx, tenant.id, {
      account: ids.yen,
      amount: '3000',
      currency: 'JPY',
      type: 'expense',
      at: at(6),
      category: 'food',
      description: 'Ramen',
    });
    // Before this month began in Los Angeles.
    await addTransaction(trx, tenant.id, {
      account: ids.chk,
      amount: '40.00',
      currency: 'USD',
      type: 'expense',
      at: at(-1),
      category: 'fuel',
    });
    ids.budget = await addBudget(trx, tenant.id, {
      name: 'Coffee',
      category: 'coffee',
      currency: 'USD',
      total: '10.00',
      start: '2020-01-01',
      end: '2099-12-31',
    });
  });
  return { tenant, empty, thisMonth, ids };
}
