import type { Knex } from 'knex';

import { addAccount, addBudget, addTransaction, addTransfer, asTenant, createTenantRow } from './fixtures.js';

/**
 * The Kolkata tenant of the dashboard domain tests (Asia/Kolkata, base INR): INR and USD accounts, entries on
 * IST day and month edges (pending, void, a transfer) and budgets over several spans, all ended in 2024.
 * Returns its id.
 */
export async function seedKolkata(owner: Knex): Promise<string> {
  const kolkata = await createTenantRow(owner, {
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
  return kolkata;
}
