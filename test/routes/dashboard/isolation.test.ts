import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Knex } from 'knex';

import { createKnex } from '../../../app/db/knex.js';
import { asPlatform, setTenant, withTenant } from '../../../app/db/tenant-scope.js';
import { fullDashboard } from '../../../app/domain/dashboard/dashboard.js';
import { seedDatabase } from '../../../app/domain/seed/seed.js';
import { issueApiToken } from '../../../app/domain/tenants/api-tokens.js';
import { bearer, startTestApp, type TestApp } from '../../harness/app.js';

const ENDPOINTS = ['', '/summary', '/accounts', '/transactions', '/budgets'];
const RANGE_FROM = new Date(Date.now() - 200 * 86_400_000).toISOString().slice(0, 10);
const RANGE_TO = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
const TENANT_TABLES = [
  'accounts',
  'transactions',
  'budgets',
  'transaction_rollups_daily',
  'transaction_rollups_monthly',
];

describe('dashboard tenant isolation', () => {
  let t: TestApp;
  let api: Knex;

  beforeAll(async () => {
    t = await startTestApp();
    api = createKnex({ url: t.db.appUrl });
  });
  afterAll(async () => {
    await api.destroy();
    await t.close();
  });

  it('no token sees another tenant through any dashboard endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 2, max: 4 }),
        async (seed, count) => {
          const { tenants } = await seedDatabase(t.owner, {
            tenants: count,
            transactionsPerTenant: 300,
            seed,
            tenantPrefix: `iso-${randomUUID().slice(0, 8)}`,
          });
          const owned = new Map<string, string[]>();
          const tokens = new Map<string, string[]>();
          for (const tenant of tenants) {
            owned.set(
              tenant.id,
              await t.owner.transaction(async (trx) => {
                await setTenant(trx, tenant.id);
                const ids = await trx.raw<{ rows: Array<{ id: string }> }>(
                  `select id from accounts union all select id from transactions union all select id from budgets`,
                );
                return [tenant.id, ...ids.rows.map((r) => r.id)];
              }),
            );
            tokens.set(
              tenant.id,
              await asPlatform(t.owner, async (trx) => [
                (await issueApiToken(trx, tenant.id, 'iso-viewer', 'viewer')).token,
                (await issueApiToken(trx, tenant.id, 'iso-admin', 'admin')).token,
              ]),
            );
          }
          for (const tenant of tenants) {
            const foreign = tenants.filter((o) => o.id !== tenant.id).flatMap((o) => owned.get(o.id) ?? []);
            const own = await withTenant(
              api,
              tenant.id,
              (trx) => fullDashboard(trx, {}, { includeDescriptions: true }),
              {
                readOnly: true,
              },
            );
            for (const token of tokens.get(tenant.id) ?? []) {
              for (const endpoint of ENDPOINTS) {
                // /accounts takes no range.
                for (const query of endpoint === '/accounts'
                  ? ['']
                  : ['', `?from=${RANGE_FROM}&to=${RANGE_TO}`]) {
                  const res = await t.app.inject({
                    url: `/financial/dashboard${endpoint}${query}`,
                    headers: bearer(token),
                  });
                  expect(res.statusCode).toBe(200);
                  const leaked = foreign.filter((id) => res.body.includes(id));
                  expect({ endpoint, leaked }).toEqual({ endpoint, leaked: [] });
                }
              }
              const admin = token === tokens.get(tenant.id)?.[1];
              const whole = (
                await t.app.inject({ url: '/financial/dashboard', headers: bearer(token) })
              ).json();
              expect(whole.tenant_info.id).toBe(tenant.id);
              if (admin) expect(whole).toEqual(own);
              else expect(whole.financial_summary).toEqual(own.financial_summary);
            }
          }
        },
      ),
      { numRuns: 3 },
    );
  }, 120_000);

  it('a query without the tenant setting sees no tenant data at all', async () => {
    for (const table of TENANT_TABLES) {
      const rows = await api.transaction(async (trx) =>
        trx(table).count<Array<{ count: number }>>('* as count'),
      );
      expect({ table, count: rows[0]?.count }).toEqual({ table, count: 0 });
    }
    const owner = await t.owner.transaction(
      async (trx) => (await trx('transactions').count<Array<{ count: number }>>('* as count'))[0]?.count,
    );
    expect(owner).toBe(0); // forced RLS: even the schema owner sees nothing without a tenant
  });
});
