import type { Knex } from 'knex';

import { createKnex } from '../../../app/db/knex.js';
import { asPlatform, withTenant } from '../../../app/db/tenant-scope.js';
import type { ActorContext } from '../../../app/domain/context.js';
import { insertTenant } from '../../../app/domain/tenants/tenant-service.js';
import { createTestDatabase, type TestDatabase } from '../../harness/postgres.js';

/**
 * A fresh migrated database for one ledger test file: `api` connects as the API role (RLS
 * applies, as in production), `superuser` sees every tenant's rows for "nothing was written"
 * assertions, and tenants are created through the platform path like the operator does.
 */
export interface LedgerFixture {
  readonly db: TestDatabase;
  readonly api: Knex;
  readonly superuser: Knex;
  tenant(options?: { timezone?: string; limits?: Record<string, unknown> }): Promise<ActorContext>;
  /** One RLS-scoped transaction as `ctx`'s tenant. */
  as<T>(ctx: ActorContext, work: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
  /** Row counts across all tenants (superuser, bypassing RLS). */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

let sequence = 0;

export async function ledgerFixture(): Promise<LedgerFixture> {
  const db = await createTestDatabase();
  const api = createKnex({ url: db.appUrl, poolMax: 12 });
  const owner = createKnex({ url: db.ownerUrl, poolMax: 2 });
  const superuser = createKnex({ url: db.superuserUrl, poolMax: 2 });

  return {
    db,
    api,
    superuser,
    async tenant(options = {}) {
      sequence += 1;
      const name = `ledger-${process.pid}-${sequence}`;
      const record = await asPlatform(owner, (trx) =>
        insertTenant(trx, {
          name,
          type: 'organization',
          display_name: `Ledger ${sequence}`,
          timezone: options.timezone ?? 'UTC',
          limits: options.limits ?? {},
        }),
      );
      return {
        tenantId: record.id,
        tenantName: record.name,
        tenantType: record.type,
        actor: 'token:test',
        role: 'admin',
        requestId: `req-${sequence}`,
      };
    },
    as: (ctx, work) => withTenant(api, ctx.tenantId, work),
    async counts() {
      const tables = [
        'accounts',
        'transactions',
        'budgets',
        'idempotency_keys',
        'audit_events',
        'audit_outbox',
      ];
      const result: Record<string, number> = {};
      for (const table of tables) {
        const counted = await superuser.raw<{ rows: Array<{ n: number }> }>(
          `select count(*)::int as n from ${table}`,
        );
        result[table] = counted.rows[0]?.n ?? 0;
      }
      return result;
    },
    async close() {
      await api.destroy();
      await owner.destroy();
      await superuser.destroy();
      await db.drop();
    },
  };
}

/** An ISO timestamp `days` before now, whole seconds, UTC. */
export function daysAgo(days: number): string {
  const t = new Date(Date.now() - days * 86_400_000);
  t.setUTCMilliseconds(0);
  return t.toISOString();
}
