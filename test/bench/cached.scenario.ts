/**
 * The cached-dashboard scenario of `npm run bench` (DESIGN §10): GET /financial/dashboard served
 * from a real memcached, compared with the bare hello-world route in the same run. Target: at
 * least 0.6× hello world's requests/s, p99 under 25 ms, at 100 connections.
 *
 * dashboard.bench.ts adds these to its SCENARIOS (a server is started per distinct env):
 *
 *   const cached = await cachedDashboardScenarios();   // starts memcached
 *   … run [...SCENARIOS, ...cached.scenarios] …
 *   await cached.stop();
 *
 * Run on its own (own embedded PostgreSQL, smaller tenant: the cached answer does not depend
 * on the tenant's size): `tsx test/bench/cached.scenario.ts` (BENCH_SECONDS, default 10).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildApp } from '../../app/build.js';
import { loadConfig } from '../../app/config.js';
import { ensureDatabase, startEmbeddedPostgres } from '../../app/db/embedded.js';
import { createKnex } from '../../app/db/knex.js';
import { migrateLatest } from '../../app/db/migrate.js';
import { startMemcached } from '../harness/memcached.js';
import { freePort } from '../harness/ports.js';
import { repoRoot } from '../harness/repo-root.js';
import { benchToken, ensureBenchTenant } from './bench-database.js';
import { autocannon, type LoadResult } from './load.js';

/** Structurally the bench's Scenario. */
export interface CachedScenario {
  readonly name: string;
  readonly path: string;
  readonly auth: boolean;
  readonly tool: 'autocannon';
  readonly connections: number;
  readonly env: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
}

export async function cachedDashboardScenarios(): Promise<{
  scenarios: CachedScenario[];
  stop: () => Promise<void>;
}> {
  const memcached = await startMemcached();
  const env = { DASHBOARD_CACHE_TTL: '600', MEMCACHED_SERVERS: memcached.servers };
  return {
    scenarios: [
      ...[10, 100].map((connections) => ({
        name: 'dashboard from memcached',
        path: '/financial/dashboard',
        auth: true,
        tool: 'autocannon' as const,
        connections,
        env,
      })),
      {
        name: 'dashboard from memcached',
        path: '/financial/dashboard',
        auth: true,
        tool: 'autocannon' as const,
        connections: 100,
        env,
        headers: { 'accept-encoding': 'gzip' },
      },
    ],
    stop: () => memcached.stop(),
  };
}

const BASE_ENV = {
  FINDASH_ENV: 'production',
  LOG_LEVEL: 'silent',
  DASHBOARD_CACHE_TTL: '0',
  RATE_LIMIT_DEFAULT_RPM: '0',
};

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const log = (line: string): void => void process.stderr.write(`[cached-bench] ${line}\n`);
  const dataDir = path.join(repoRoot(), '.findash', `cached-bench-pg-${process.pid}`);
  const password = randomBytes(12).toString('hex');
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, password });
  const cached = await cachedDashboardScenarios();
  const apps: Array<{ close(): Promise<unknown> }> = [];
  try {
    const creds = await ensureDatabase(pg.superuserUrl, 'findash_bench', { owner: password, app: password });
    const owner = createKnex({ url: creds.ownerUrl, statementTimeoutMs: 0 });
    await migrateLatest(owner);
    const db = { ...creds, owner, stop: () => owner.destroy() };
    const tenant = await ensureBenchTenant(db, Number(process.env.BENCH_TRANSACTIONS ?? 20_000), log);
    const headers = { authorization: `Bearer ${await benchToken(db, tenant.id)}` };

    const serve = async (env: Readonly<Record<string, string>>): Promise<string> => {
      const config = loadConfig({
        ...BASE_ENV,
        ...env,
        DATABASE_URL: creds.appUrl,
        HOST: '127.0.0.1',
        PORT: '0',
      });
      const app = await buildApp({ config, logger: false });
      app.get('/bench/hello', async () => ({ hello: 'world' }));
      await app.listen({ host: '127.0.0.1', port: 0 });
      apps.push(app);
      const address = app.server.address();
      return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    };
    const plain = await serve({});
    const withCache = await serve(cached.scenarios[0]?.env ?? {});
    const check = await fetch(`${withCache}/financial/dashboard`, { headers });
    if (check.status !== 200) throw new Error(`dashboard answered ${check.status}: ${await check.text()}`);

    const results: Array<[string, LoadResult]> = [];
    const run = async (name: string, url: string, connections: number, auth: boolean): Promise<void> => {
      log(`${name}, ${connections} connections …`);
      await autocannon(url, { connections, seconds: 1, ...(auth ? { headers } : {}) });
      results.push([
        `${name} (${connections})`,
        await autocannon(url, { connections, seconds, ...(auth ? { headers } : {}) }),
      ]);
    };
    await run('hello world', `${plain}/bench/hello`, 100, false);
    for (const scenario of cached.scenarios) {
      await run(scenario.name, `${withCache}${scenario.path}`, scenario.connections, true);
    }
    await run('hello world', `${plain}/bench/hello`, 100, false);

    const hello = results.filter(([name]) => name.startsWith('hello')).map(([, r]) => r.requestsPerSecond);
    const helloRps = hello.reduce((a, b) => a + b, 0) / hello.length;
    const dashboard = results.find(([name]) => name === 'dashboard from memcached (100)')?.[1];
    console.log('\nscenario                          req/s    p50 ms   p99 ms   non-2xx');
    for (const [name, r] of results) {
      console.log(
        `${name.padEnd(32)} ${r.requestsPerSecond.toFixed(0).padStart(7)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${String(r.non2xx + r.errors).padStart(9)}`,
      );
    }
    if (dashboard) {
      const ratio = dashboard.requestsPerSecond / helloRps;
      console.log(
        `\ncached dashboard / hello world at 100 connections: ${ratio.toFixed(2)}× (target ≥ 0.6) ${ratio >= 0.6 ? 'OK' : 'MISSED'}`,
      );
      console.log(
        `cached dashboard p99 at 100 connections: ${dashboard.p99} ms (target < 25 ms) ${dashboard.p99 < 25 ? 'OK' : 'MISSED'}`,
      );
    }
    await owner.destroy();
  } finally {
    for (const app of apps) await app.close();
    await cached.stop();
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
