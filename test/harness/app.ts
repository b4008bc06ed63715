import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';

import { buildApp } from '../../app/build.js';
import { loadConfig, type AppConfig } from '../../app/config.js';
import { createKnex } from '../../app/db/knex.js';
import { asPlatform } from '../../app/db/tenant-scope.js';
import type { Role } from '../../app/domain/auth/roles.js';
import { issueApiToken } from '../../app/domain/tenants/api-tokens.js';
import { insertTenant } from '../../app/domain/tenants/tenant-service.js';
import type { AppOptions } from '../../app/app.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export interface TestTenant {
  readonly id: string;
  readonly name: string;
  readonly type: 'user' | 'organization';
  readonly tokens: Readonly<Record<Role, string>>;
}

export interface TenantOptions {
  readonly name?: string;
  readonly type?: 'user' | 'organization';
  readonly baseCurrency?: string;
  readonly timezone?: string;
  readonly status?: 'active' | 'suspended';
  readonly limits?: { requestsPerMinute?: number; maxAccounts?: number };
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly db: TestDatabase;
  /** Owner connection (RLS forced: set app.tenant_id or app.platform like production code). */
  readonly owner: Knex;
  readonly config: AppConfig;
  createTenant(options?: TenantOptions): Promise<TestTenant>;
  close(): Promise<void>;
}

let counter = 0;

/** A real app on a fresh migrated database, driven with app.inject(). */
export async function startTestApp(
  env: Record<string, string> = {},
  options: Partial<Omit<AppOptions, 'config'>> = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({
    FINDASH_ENV: 'testing',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.appUrl,
    DATABASE_OWNER_URL: db.ownerUrl,
    ADMIN_TOKEN: 'test-admin-token-0123456789abcdef',
    // Tests read the database gauges right after changing the data: every scrape reads them.
    METRICS_DB_REFRESH_MS: '0',
    ...env,
  });
  const app = await buildApp({ config, logger: false, authCacheTtlMs: 0, ...options });
  await app.ready();
  const owner = createKnex({ url: db.ownerUrl });

  async function createTenant(opts: TenantOptions = {}): Promise<TestTenant> {
    counter += 1;
    const name = opts.name ?? `tenant-${process.pid}-${counter}`;
    return asPlatform(owner, async (trx) => {
      const tenant = await insertTenant(trx, {
        name,
        type: opts.type ?? 'organization',
        display_name: `Tenant ${name}`,
        base_currency: opts.baseCurrency ?? 'USD',
        timezone: opts.timezone ?? 'UTC',
        status: opts.status ?? 'active',
        limits: opts.limits ?? {},
      });
      const tokens = {} as Record<Role, string>;
      for (const role of ['viewer', 'analyst', 'admin'] as const) {
        tokens[role] = (await issueApiToken(trx, tenant.id, `${role}-client`, role)).token;
      }
      return { id: tenant.id, name, type: tenant.type, tokens };
    });
  }

  return {
    app,
    db,
    owner,
    config,
    createTenant,
    close: async () => {
      await app.close();
      await owner.destroy();
      await db.drop();
    },
  };
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
