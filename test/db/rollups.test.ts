import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { createKnex } from '../../app/db/knex.js';
import { asPlatform, withTenant } from '../../app/db/tenant-scope.js';
import { insertTenant } from '../../app/domain/tenants/tenant-service.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

describe('rollup maintenance', () => {
  let db: TestDatabase;
  let owner: Knex;
  let tenantId: string;
  let accountId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = createKnex({ url: db.ownerUrl });
    tenantId = await asPlatform(
      owner,
      async (trx) => (await insertTenant(trx, { name: 'roll', type: 'user', display_name: 'R' })).id,
    );
    accountId = await withTenant(owner, tenantId, async (trx) => {
      const [row] = await trx('accounts')
        .insert({ tenant_id: tenantId, name: 'a', account_type: 'checking', currency: 'USD' })
        .returning<Array<{ id: string }>>('id');
      return row!.id;
    });
  });
  afterAll(async () => {
    await owner.destroy();
    await db.drop();
  });

  it('removes a rollup row once every transaction in it is voided, and keeps balances exact', async () => {
    const rollupRows = () =>
      withTenant(owner, tenantId, async (trx) => ({
        daily: await trx('transaction_rollups_daily').select<Array<{ count: number; total: string }>>(
          'count',
          'total',
        ),
        monthly: await trx('transaction_rollups_monthly').select<Array<{ count: number; total: string }>>(
          'count',
          'total',
        ),
        balance: (await trx('accounts').where({ id: accountId }).first<{ balance: string }>('balance'))
          .balance,
      }));
    const ids = await withTenant(owner, tenantId, async (trx) =>
      (
        await trx('transactions')
          .insert(
            ['10.00', '2.50'].map((amount) => ({
              tenant_id: tenantId,
              account_id: accountId,
              amount,
              currency: 'USD',
              transaction_type: 'expense',
              direction: 'debit',
              occurred_at: '2026-03-05T10:00:00Z',
            })),
          )
          .returning<Array<{ id: string }>>('id')
      ).map((r) => r.id),
    );
    expect(await rollupRows()).toEqual({
      daily: [{ count: 2, total: '12.5000' }],
      monthly: [{ count: 2, total: '12.5000' }],
      balance: '-12.5000',
    });
    await withTenant(owner, tenantId, (trx) =>
      trx('transactions').whereIn('id', ids).update({ status: 'void' }),
    );
    expect(await rollupRows()).toEqual({ daily: [], monthly: [], balance: '0.0000' });
  });
});
