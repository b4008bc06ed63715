import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { createKnex } from '../../../app/db/knex.js';
import { asPlatform, setTenant, withTenant } from '../../../app/db/tenant-scope.js';
import { financialSummary } from '../../../app/domain/dashboard/summary.js';
import { ConflictError } from '../../../app/domain/errors.js';
import { seedDatabase, type SeededTenant } from '../../../app/domain/seed/seed.js';
import { createTestDatabase, type TestDatabase } from '../../harness/postgres.js';

const UNTIL = new Date('2026-11-25T15:30:00Z');

/** Everything about a tenant's seeded data except generated ids and names. */
async function fingerprint(owner: Knex, tenantId: string): Promise<unknown> {
  return owner.transaction(async (trx) => {
    await setTenant(trx, tenantId);
    const q = async (sql: string) => (await trx.raw<{ rows: unknown[] }>(sql)).rows;
    return {
      tenant: await q(`select type, display_name, base_currency, timezone from tenants`),
      accounts: await q(
        `select name, account_type, currency, balance::text, is_active from accounts order by created_at`,
      ),
      flows:
        await q(`select transaction_type, direction, status, currency, category, count(*)::int, sum(amount)::text,
                             min(occurred_at), max(occurred_at)
                        from transactions group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5`),
      budgets: await q(
        `select name, category, currency, total_amount::text, start_date, end_date from budgets order by name`,
      ),
    };
  });
}

describe('seedDatabase', () => {
  let db: TestDatabase;
  let owner: Knex;
  let api: Knex;
  let first: SeededTenant[];
  const progress: Array<[number, number]> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = createKnex({ url: db.ownerUrl, statementTimeoutMs: 0 });
    api = createKnex({ url: db.appUrl });
    ({ tenants: first } = await seedDatabase(owner, {
      tenants: 3,
      transactionsPerTenant: 4000,
      seed: 7,
      tenantPrefix: 'alpha',
      batchSize: 1500,
      until: UNTIL,
      onProgress: (done, total) => progress.push([done, total]),
    }));
  }, 120_000);
  afterAll(async () => {
    await api.destroy();
    await owner.destroy();
    await db.drop();
  });

  it('creates the tenants it reports, with exactly the requested number of transactions each', async () => {
    expect(first.map((t) => [t.name, t.type])).toEqual([
      ['alpha-1', 'organization'],
      ['alpha-2', 'user'],
      ['alpha-3', 'organization'],
    ]);
    for (const tenant of first) {
      const count = await owner.transaction(async (trx) => {
        await setTenant(trx, tenant.id);
        return (await trx('transactions').count<Array<{ count: number }>>('* as count'))[0]?.count;
      });
      expect(count).toBe(4000);
    }
    expect(progress[0]).toEqual([0, 12_000]);
    expect(progress.at(-1)).toEqual([12_000, 12_000]);
  });

  it('is deterministic: the same seed and day give the same data under another prefix', async () => {
    const { tenants: again } = await seedDatabase(owner, {
      tenants: 3,
      transactionsPerTenant: 4000,
      seed: 7,
      tenantPrefix: 'beta',
      until: UNTIL,
    });
    for (let i = 0; i < 3; i += 1) {
      expect(await fingerprint(owner, again[i]!.id)).toEqual(await fingerprint(owner, first[i]!.id));
    }
    const { tenants: other } = await seedDatabase(owner, {
      tenants: 1,
      transactionsPerTenant: 4000,
      seed: 8,
      tenantPrefix: 'gamma',
      until: UNTIL,
    });
    expect(await fingerprint(owner, other[0]!.id)).not.toEqual(await fingerprint(owner, first[0]!.id));
  }, 120_000);

  it('refuses to reuse tenant names', async () => {
    await expect(
      seedDatabase(owner, {
        tenants: 1,
        transactionsPerTenant: 10,
        seed: 1,
        tenantPrefix: 'alpha',
        until: UNTIL,
      }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('writes a plausible two-year ledger: currencies, salaries, transfers, pending and void rows', async () => {
    for (const tenant of first) {
      const facts = await owner.transaction(async (trx) => {
        await setTenant(trx, tenant.id);
        const one = async <T>(sql: string): Promise<T> => (await trx.raw<{ rows: T[] }>(sql)).rows[0] as T;
        return {
          currencies: await one<{ n: number }>(`select count(distinct currency)::int as n from accounts`),
          span: await one<{ months: number }>(
            `select count(distinct date_trunc('month', occurred_at))::int as months from transactions`,
          ),
          salaries: await one<{ n: number }>(
            `select count(*)::int as n from transactions where category in ('salary', 'revenue') and transaction_type = 'income'`,
          ),
          statuses: await one<{ pending: number; void: number }>(
            `select (count(*) filter (where status = 'pending'))::int as pending, (count(*) filter (where status = 'void'))::int as void from transactions`,
          ),
          unbalancedTransfers: await one<{ n: number }>(
            `select count(*)::int as n from (
               select transfer_id from transactions where transaction_type = 'transfer' group by transfer_id
               having count(*) <> 2 or count(distinct amount) <> 1 or count(distinct direction) <> 2
                   or count(distinct currency) <> 1) x`,
          ),
          transfers: await one<{ n: number }>(
            `select count(*)::int as n from transactions where transaction_type = 'transfer'`,
          ),
          balanceDrift: await one<{ n: number }>(
            `select count(*)::int as n from accounts a where a.balance <> (
               select coalesce(sum(case when direction = 'credit' then amount else -amount end), 0)
                 from transactions x where x.account_id = a.id and x.status = 'posted')`,
          ),
          overdrawn: await one<{ n: number }>(
            `select count(*)::int as n from accounts where account_type in ('checking', 'savings', 'investment') and balance < 0`,
          ),
          future: await one<{ n: number }>(
            `select count(*)::int as n from transactions where occurred_at > '${UNTIL.toISOString()}'`,
          ),
          budgets: await one<{ n: number }>(`select count(*)::int as n from budgets`),
          categories: await one<{ n: number }>(
            `select count(distinct category)::int as n from transactions where transaction_type = 'expense'`,
          ),
        };
      });
      expect(facts.currencies.n).toBeGreaterThanOrEqual(1);
      expect(facts.currencies.n).toBeLessThanOrEqual(3);
      expect(facts.span.months).toBeGreaterThanOrEqual(24);
      expect(facts.salaries.n).toBeGreaterThanOrEqual(23);
      expect(facts.statuses.pending).toBeGreaterThan(0);
      expect(facts.statuses.void).toBeGreaterThan(0);
      expect(facts.transfers.n).toBeGreaterThanOrEqual(90);
      expect(facts.unbalancedTransfers.n).toBe(0);
      expect(facts.balanceDrift.n).toBe(0);
      expect(facts.future.n).toBe(0);
      expect(facts.overdrawn.n).toBe(0); // income covers spending: no asset account ends overdrawn
      expect(facts.budgets.n).toBe(37);
      expect(facts.categories.n).toBeGreaterThanOrEqual(12);
    }
  });

  it('gives the dashboard rates for every currency a tenant holds', async () => {
    for (const tenant of first) {
      const summary = await withTenant(api, tenant.id, (trx) => financialSummary(trx, {}), {
        readOnly: true,
      });
      expect(summary.total_balance_converted.complete).toBe(true);
      expect(summary.total_accounts).toBeGreaterThanOrEqual(4);
    }
    const platform = await asPlatform(
      owner,
      async (trx) => (await trx('exchange_rates').count<Array<{ count: number }>>('* as count'))[0]?.count,
    );
    expect(platform).toBeGreaterThan(0);
  });
});
