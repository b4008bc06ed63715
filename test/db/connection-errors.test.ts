import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';

import { buildApp } from '../../app/build.js';
import { loadConfig } from '../../app/config.js';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from '../../app/db/embedded.js';
import { createKnex } from '../../app/db/knex.js';
import { migrateLatest } from '../../app/db/migrate.js';
import { asPlatform } from '../../app/db/tenant-scope.js';
import { issueApiToken } from '../../app/domain/tenants/api-tokens.js';
import { insertTenant } from '../../app/domain/tenants/tenant-service.js';
import { bearer } from '../harness/app.js';
import { freePort } from '../harness/ports.js';
import { repoRoot } from '../harness/repo-root.js';
import { sample, scrape, waitFor } from '../helpers/instances.js';

/**
 * PostgreSQL going away and coming back, on a PostgreSQL of this test's own (the shared one
 * must stay up for the other test files).
 */
describe('PostgreSQL outage', () => {
  const dataDir = path.join(
    repoRoot(),
    '.findash',
    `test-pg-outage-${process.pid}-${randomBytes(3).toString('hex')}`,
  );
  const password = randomBytes(12).toString('hex');
  let port: number;
  let pg: EmbeddedServer;
  let app: FastifyInstance;
  let token: string;

  const start = async (): Promise<EmbeddedServer> =>
    startEmbeddedPostgres({ dataDir, port, persistent: true, password });

  beforeAll(async () => {
    port = await freePort();
    pg = await start();
    const creds = await ensureDatabase(pg.superuserUrl, 'findash', { owner: password, app: password });
    const owner = createKnex({ url: creds.ownerUrl });
    try {
      await migrateLatest(owner);
      token = await asPlatform(owner, async (trx) => {
        const tenant = await insertTenant(trx, {
          name: 'outage',
          type: 'organization',
          display_name: 'Outage Ltd',
          base_currency: 'USD',
          timezone: 'UTC',
          status: 'active',
          limits: {},
        });
        return (await issueApiToken(trx, tenant.id, 'reader', 'viewer')).token;
      });
    } finally {
      await owner.destroy();
    }
    const config = loadConfig({
      FINDASH_ENV: 'testing',
      LOG_LEVEL: 'silent',
      DATABASE_URL: creds.appUrl,
      DASHBOARD_CACHE_TTL: '0',
      RATE_LIMIT_DEFAULT_RPM: '0',
    });
    app = await buildApp({ config, logger: false, authCacheTtlMs: 0 });
    await app.ready();
  }, 120_000);

  afterAll(async () => {
    await app.close();
    await pg.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('answers 503 with a clear body while PostgreSQL is down, and recovers without a restart', async () => {
    expect((await app.inject({ url: '/financial/dashboard', headers: bearer(token) })).statusCode).toBe(200);

    await pg.stop();
    const started = performance.now();
    const down = await app.inject({ url: '/financial/dashboard', headers: bearer(token) });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBeDefined();
    expect(down.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the database is unavailable; retry shortly',
      request_id: down.headers['x-request-id'],
    });

    const health = await app.inject({ url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: 'unhealthy', checks: { database: { status: 'down' } } });
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(503);
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);
    const metrics = await scrape(app);
    expect(
      sample(metrics, 'findash_db_errors_total', { kind: 'connection' }) +
        sample(metrics, 'findash_db_errors_total', { kind: 'timeout' }),
    ).toBeGreaterThan(0);

    pg = await start();
    const back = await waitFor(
      'the dashboard to be served again',
      async () => {
        const res = await app.inject({ url: '/financial/dashboard', headers: bearer(token) });
        return res.statusCode === 200 ? res : null;
      },
      30_000,
      250,
    );
    expect(back.json()).toHaveProperty('financial_summary');
    expect((await app.inject({ url: '/health' })).json()).toMatchObject({
      checks: { database: { status: 'up' } },
    });
  }, 90_000);
});
