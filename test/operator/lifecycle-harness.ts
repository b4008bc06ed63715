import { beforeAll } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';

import { buildApp } from '../../app/build.js';
import { loadConfig } from '../../app/config.js';
import type { ObjectList, Secret } from '../../operator/kube/types.js';
import { operatorHarness } from './harness.js';

/**
 * The Tenant lifecycle tests' environment: an operator in this process and the real API (no token cache) on the
 * same database, answering the tokens the operator hands out; with the reads those tests share.
 */
export function lifecycleHarness() {
  const env = operatorHarness({ operator: { concurrency: 4 } });
  let api: FastifyInstance;

  beforeAll(async () => {
    const config = loadConfig({
      FINDASH_ENV: 'testing',
      LOG_LEVEL: 'silent',
      DATABASE_URL: env.db.appUrl,
      DATABASE_OWNER_URL: env.db.ownerUrl,
    });
    api = await buildApp({ config, logger: false, authCacheTtlMs: 0 });
    env.onStop(() => api.close());
    await api.ready();
  }, 300_000);

  const dashboard = (token: string) =>
    api.inject({ method: 'GET', url: '/financial/dashboard', headers: { authorization: `Bearer ${token}` } });

  const secrets = async (tenant: string) =>
    (await env.kube.get<ObjectList<Secret>>(`/api/v1/namespaces/tenant-${tenant}/secrets`)).items;

  const secret = (tenant: string, client: string) =>
    env.kube.getOrNull<Secret>(`/api/v1/namespaces/tenant-${tenant}/secrets/${client}-token`);

  const platform = async <T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> =>
    env.sql.transaction(async (trx) => {
      await trx.raw(`select set_config('app.platform', 'on', true)`);
      return work(trx);
    });

  return { env, dashboard, secrets, secret, platform };
}
