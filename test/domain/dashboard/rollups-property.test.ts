import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Knex } from 'knex';

import { createKnex } from '../../../app/db/knex.js';
import { withTenant } from '../../../app/db/tenant-scope.js';
import { dayString, type DateRange } from '../../../app/domain/dashboard/date-range.js';
import { budgetStatuses } from '../../../app/domain/dashboard/budgets.js';
import { fullDashboard } from '../../../app/domain/dashboard/dashboard.js';
import { financialSummary } from '../../../app/domain/dashboard/summary.js';
import { transactionSummary } from '../../../app/domain/dashboard/transactions.js';
import { currencyExponent } from '../../../app/domain/money/currency.js';
import { fromScaled } from '../../../app/domain/money/decimal.js';
import { createTestDatabase, type TestDatabase } from '../../harness/postgres.js';
import { asTenant, createTenantRow, localDate } from './fixtures.js';
import { naiveNumbers } from './naive.js';

/**
 * Property: whatever the data — several currencies (0, 2 and 3 decimals), pending rows posted
 * later, voids, rows moved across a month boundary, several timezones — the dashboard numbers
 * read from the trigger-maintained rollups equal a naive aggregation of the raw rows.
 */
const ZONES = [
  'UTC',
  'America/Los_Angeles',
  'Asia/Kolkata',
  'Pacific/Auckland',
  'America/St_Johns',
  'Asia/Kathmandu',
];
const CURRENCIES = ['USD', 'JPY', 'KWD', 'EUR'];
const CATEGORIES = ['food', 'rent', 'travel', 'fun', 'salary'];
const DAY_MS = 86_400_000;
const NOW = Date.now();
/** Transactions land between ~100 days ago and 3 days ahead, so "this month" and 12-month trends have data. */
const SPAN_MINUTES = 103 * 24 * 60;
const START = NOW - 100 * DAY_MS;

const txArb = fc.record({
  account: fc.nat(),
  kind: fc.constantFrom('income', 'expense', 'expense', 'transfer'),
  status: fc.constantFrom('posted', 'posted', 'pending', 'void'),
  minor: fc.integer({ min: 1, max: 50_000_000 }),
  category: fc.constantFrom(...CATEGORIES),
  minute: fc.integer({ min: 0, max: SPAN_MINUTES }),
});
const updateArb = fc.record({
  tx: fc.nat(),
  change: fc.oneof(
    fc.record({ status: fc.constantFrom('posted', 'void', 'pending') }),
    fc.record({ shiftMinutes: fc.integer({ min: -45 * 24 * 60, max: 45 * 24 * 60 }) }),
    fc.record({ category: fc.constantFrom(...CATEGORIES) }),
  ),
});
const dayArb = fc.integer({ min: -110, max: 10 }).map((d) => dayString(Math.floor(NOW / DAY_MS) + d));
const budgetArb = fc.record({
  currency: fc.constantFrom(...CURRENCIES),
  category: fc.option(fc.constantFrom(...CATEGORIES), { nil: null }),
  minor: fc.integer({ min: 1, max: 100_000_000 }),
  a: dayArb,
  b: dayArb,
});
const tenantArb = fc.record({
  timezone: fc.constantFrom(...ZONES),
  currencies: fc.array(fc.constantFrom(...CURRENCIES), { minLength: 1, maxLength: 4 }),
  transactions: fc.array(txArb, { maxLength: 30 }),
  updates: fc.array(updateArb, { maxLength: 8 }),
  budgets: fc.array(budgetArb, { maxLength: 4 }),
});
const rangeArb: fc.Arbitrary<DateRange> = fc
  .record({ a: fc.option(dayArb, { nil: undefined }), b: fc.option(dayArb, { nil: undefined }) })
  .map(({ a, b }) => {
    if (a !== undefined && b !== undefined) return a <= b ? { from: a, to: b } : { from: b, to: a };
    return { ...(a === undefined ? {} : { from: a }), ...(b === undefined ? {} : { to: b }) };
  });

type TenantSpec = typeof tenantArb extends fc.Arbitrary<infer T> ? T : never;

function amount(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  return fromScaled(BigInt(exponent === 0 ? Math.max(1, Math.floor(minor / 100)) : minor), exponent);
}

async function loadTenant(owner: Knex, spec: TenantSpec): Promise<string> {
  const tenantId = await createTenantRow(owner, {
    timezone: spec.timezone,
    name: `prop-${randomUUID().slice(0, 12)}`,
  });
  await asTenant(owner, tenantId, async (trx) => {
    const accounts = await trx('accounts')
      .insert(
        spec.currencies.map((currency, i) => ({
          tenant_id: tenantId,
          name: `acct ${i}`,
          currency,
          account_type: 'checking',
        })),
      )
      .returning<Array<{ id: string; currency: string }>>(['id', 'currency']);
    const rows: Array<Record<string, unknown>> = [];
    for (const tx of spec.transactions) {
      const from = accounts[tx.account % accounts.length]!;
      const base = {
        tenant_id: tenantId,
        amount: amount(tx.minor, from.currency),
        currency: from.currency,
        status: tx.status,
        category: tx.category,
        occurred_at: new Date(START + tx.minute * 60_000).toISOString(),
      };
      const to = accounts.find((a) => a.currency === from.currency && a.id !== from.id);
      if (tx.kind === 'transfer' && to) {
        const transfer_id = randomUUID();
        rows.push({
          ...base,
          account_id: from.id,
          transaction_type: 'transfer',
          direction: 'debit',
          transfer_id,
          category: 'transfer',
        });
        rows.push({
          ...base,
          account_id: to.id,
          transaction_type: 'transfer',
          direction: 'credit',
          transfer_id,
          category: 'transfer',
        });
      } else {
        const type = tx.kind === 'income' ? 'income' : 'expense';
        rows.push({
          ...base,
          account_id: from.id,
          transaction_type: type,
          direction: type === 'income' ? 'credit' : 'debit',
        });
      }
    }
    // One multi-row statement, like a batch import: the statement trigger sees them all at once.
    const ids = rows.length
      ? (await trx('transactions').insert(rows).returning<Array<{ id: string }>>('id')).map((r) => r.id)
      : [];
    for (const b of spec.budgets) {
      const [start, end] = b.a <= b.b ? [b.a, b.b] : [b.b, b.a];
      await trx('budgets').insert({
        tenant_id: tenantId,
        name: `budget ${b.minor}`,
        category: b.category,
        currency: b.currency,
        total_amount: amount(b.minor, b.currency),
        start_date: start,
        end_date: end,
      });
    }
    return ids;
  });
  // Later changes, each its own statement and transaction, as the API would make them.
  const ids = await asTenant(owner, tenantId, async (trx) =>
    (await trx('transactions').orderBy('created_at').orderBy('id').select<Array<{ id: string }>>('id')).map(
      (r) => r.id,
    ),
  );
  for (const update of spec.updates) {
    if (ids.length === 0) break;
    const id = ids[update.tx % ids.length]!;
    await asTenant(owner, tenantId, async (trx) => {
      if ('status' in update.change) {
        await trx('transactions').where({ id }).update({ status: update.change.status });
      } else if ('shiftMinutes' in update.change) {
        await trx('transactions')
          .where({ id })
          .update({
            occurred_at: trx.raw(`occurred_at + (? || ' minutes')::interval`, [update.change.shiftMinutes]),
          });
      } else {
        await trx('transactions')
          .where({ id })
          .whereNot({ transaction_type: 'transfer' })
          .update({ category: update.change.category });
      }
    });
  }
  return tenantId;
}

describe('dashboard numbers from rollups equal a naive aggregation of raw rows', () => {
  let db: TestDatabase;
  let owner: Knex;
  let api: Knex;

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = createKnex({ url: db.ownerUrl });
    api = createKnex({ url: db.appUrl });
  });
  afterAll(async () => {
    await api.destroy();
    await owner.destroy();
    await db.drop();
  });

  it('holds for random tenants, data, updates and ranges', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(tenantArb, { minLength: 1, maxLength: 3 }),
        rangeArb,
        async (specs, range) => {
          const tenants = [];
          for (const spec of specs) tenants.push(await loadTenant(owner, spec));
          for (const [i, tenantId] of tenants.entries()) {
            const [summary, transactions, budgets, whole, now] = await withTenant(
              api,
              tenantId,
              async (trx) =>
                [
                  await financialSummary(trx, range),
                  await transactionSummary(trx, range, { includeDescriptions: false }),
                  await budgetStatuses(trx, range),
                  await fullDashboard(trx, range, { includeDescriptions: false }),
                  // now() is the transaction's start: the instant every query above called now.
                  (await trx.raw<{ rows: Array<{ now: Date }> }>('select now() as now')).rows[0]!.now,
                ] as const,
              { readOnly: true },
            );
            // The one-statement dashboard is exactly its parts, except that without a range it
            // lists only the budgets in effect on the tenant's local date.
            expect(whole.financial_summary).toEqual(summary);
            expect(whole.transaction_summary).toEqual(transactions);
            const today = localDate(now, specs[i]!.timezone);
            const unranged = range.from === undefined && range.to === undefined;
            expect(whole.budget_statuses).toEqual(
              unranged ? budgets.filter((b) => b.start_date <= today && today <= b.end_date) : budgets,
            );
            const naive = await asTenant(owner, tenantId, (trx) => naiveNumbers(trx, tenantId, range));
            expect({
              total_balance: summary.total_balance,
              total_transactions: summary.total_transactions,
              pending_transactions: summary.pending_transactions,
              this_month_income: summary.this_month_income,
              this_month_expenses: summary.this_month_expenses,
              this_month_amount: summary.this_month_amount,
              total_amount: transactions.total_amount,
              avg_amount: transactions.avg_amount,
              income: transactions.income,
              expenses: transactions.expenses,
              by_category: transactions.by_category,
              monthly_trend: transactions.monthly_trend,
              recent: transactions.recent_transactions.map((x) => ({
                transaction_id: x.transaction_id,
                amount: x.amount,
                currency: x.currency,
                status: x.status,
                category: x.category,
                occurred_at: x.occurred_at,
              })),
              budgets: budgets.map((b) => ({
                budget_id: b.budget_id,
                spent_amount: b.spent_amount,
                remaining: b.remaining,
                percentage_used: b.percentage_used,
                is_over_budget: b.is_over_budget,
              })),
            }).toEqual(naive);
            expect(transactions.total_transactions).toBe(naive.total_transactions);
          }
        },
      ),
      { numRuns: Number(process.env.FINDASH_PROPERTY_RUNS ?? 40) },
    );
  }, 180_000);
});
