/**
 * Dashboard benchmark (DESIGN §10): `npm run bench`.
 *
 * Starts embedded PostgreSQL (or uses DATABASE_URL), seeds — or reuses — tenant bench-1 with
 * 1,000,000 transactions, starts the real app (buildApp, listening on 127.0.0.1) and reports,
 * from one run: a bare hello-world route on the same server setup, GET /financial/dashboard
 * computed fresh per request (DASHBOARD_CACHE_TTL=0), the domain queries on their own, a naive
 * aggregation over raw rows for comparison, and `ab -n 100 -c 10`.
 *
 * Add a scenario by adding one entry to SCENARIOS; `env` overrides the app configuration and a
 * server is started per distinct `env` (e.g. { DASHBOARD_CACHE_TTL: '600' } for a cached run).
 * BENCH_TRANSACTIONS (default 1000000) and BENCH_SECONDS (default 10) change the size and length;
 * BENCH_RESEED=1 seeds the tenant again even when one of that size exists.
 * Results are also written to .findash/bench-results.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';

import { buildApp } from '../../app/build.js';
import { loadConfig } from '../../app/config.js';
import { createKnex } from '../../app/db/knex.js';
import { setTenant, withTenant } from '../../app/db/tenant-scope.js';
import { accountSummaries } from '../../app/domain/dashboard/accounts.js';
import { budgetStatuses } from '../../app/domain/dashboard/budgets.js';
import { fullDashboard } from '../../app/domain/dashboard/dashboard.js';
import { financialSummary } from '../../app/domain/dashboard/summary.js';
import { tenantInfo } from '../../app/domain/dashboard/tenant-info.js';
import { transactionSummary } from '../../app/domain/dashboard/transactions.js';
import { naiveNumbers } from '../../test/domain/dashboard/naive.js';
import { repoRoot } from '../../test/harness/repo-root.js';
import { benchToken, ensureBenchTenant, openBenchDatabase, type BenchDatabase } from './bench-database.js';
import { postgresCpuMs, processCpuMs } from './cpu.js';
import { compareCachedWithHello, formatCachedComparison, startCachedEnv } from './cached.scenario.js';
import { apacheBench, autocannon, type AbResult, type LoadResult } from './load.js';
import { fmt, percentile } from './stats.js';

interface Scenario {
  readonly name: string;
  readonly path: string;
  /** Send the tenant's bearer token. */
  readonly auth: boolean;
  readonly tool: 'autocannon' | 'ab';
  /** autocannon: connections; ab: concurrency. */
  readonly connections: number;
  /** ab only: total requests. */
  readonly requests?: number;
  /** App configuration on top of BASE_ENV; one server per distinct env. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra request headers (e.g. Accept-Encoding). */
  readonly headers?: Readonly<Record<string, string>>;
}

const DASHBOARD = '/financial/dashboard';
const HELLO = '/bench/hello';

const SCENARIOS: readonly Scenario[] = [
  { name: 'hello world', path: HELLO, auth: false, tool: 'autocannon', connections: 10 },
  { name: 'hello world', path: HELLO, auth: false, tool: 'autocannon', connections: 100 },
  { name: 'dashboard, fresh per request', path: DASHBOARD, auth: true, tool: 'autocannon', connections: 1 },
  { name: 'dashboard, fresh per request', path: DASHBOARD, auth: true, tool: 'autocannon', connections: 10 },
  { name: 'dashboard, fresh per request', path: DASHBOARD, auth: true, tool: 'autocannon', connections: 100 },
  {
    name: 'dashboard, fresh (ab -n 100 -c 10)',
    path: DASHBOARD,
    auth: true,
    tool: 'ab',
    connections: 10,
    requests: 100,
  },
];

/** Every server: quiet, production mode, no dashboard cache, no rate limit in the way. */
const BASE_ENV: Readonly<Record<string, string>> = {
  FINDASH_ENV: 'production',
  LOG_LEVEL: 'silent',
  DASHBOARD_CACHE_TTL: '0',
  RATE_LIMIT_DEFAULT_RPM: '0',
};

const TRANSACTIONS = Number(process.env.BENCH_TRANSACTIONS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

async function timed(
  times: number,
  work: () => Promise<unknown>,
): Promise<{ p50: number; p99: number; min: number }> {
  const samples: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const started = process.hrtime.bigint();
    await work();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), min: Math.min(...samples) };
}

async function startServer(
  db: BenchDatabase,
  env: Readonly<Record<string, string>>,
): Promise<{ app: FastifyInstance; url: string }> {
  const config = loadConfig({
    ...process.env,
    ...BASE_ENV,
    ...env,
    DATABASE_URL: db.appUrl,
    DATABASE_OWNER_URL: db.ownerUrl,
    HOST: '127.0.0.1',
    PORT: '0',
  });
  const app = await buildApp({ config, logger: false });
  // The comparison route: same server, plugins and hooks, no work.
  app.get(HELLO, async () => ({ hello: 'world' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}` };
}

async function measureQueries(
  db: BenchDatabase,
  tenantId: string,
): Promise<Record<string, { p50: number; p99: number; min: number }>> {
  const api = createKnex({ url: db.appUrl, applicationName: 'findash-bench-queries' });
  const owner = createKnex({
    url: db.ownerUrl,
    statementTimeoutMs: 0,
    applicationName: 'findash-bench-naive',
  });
  try {
    const read = <T>(work: (trx: Knex.Transaction) => Promise<T>) =>
      withTenant(api, tenantId, work, { readOnly: true });
    const results: Record<string, { p50: number; p99: number; min: number }> = {};
    results['domain: full dashboard (one transaction)'] = await timed(50, () =>
      read((trx) => fullDashboard(trx, {}, { includeDescriptions: false })),
    );
    results['domain: financialSummary'] = await timed(50, () => read((trx) => financialSummary(trx, {})));
    results['domain: accountSummaries'] = await timed(50, () => read((trx) => accountSummaries(trx)));
    results['domain: transactionSummary'] = await timed(50, () =>
      read((trx) => transactionSummary(trx, {}, { includeDescriptions: false })),
    );
    results['domain: budgetStatuses'] = await timed(50, () => read((trx) => budgetStatuses(trx, {})));
    results['domain: tenantInfo'] = await timed(50, () => read((trx) => tenantInfo(trx)));
    results['naive: one aggregation over raw rows'] = await timed(5, () =>
      owner.transaction(async (trx) => {
        await setTenant(trx, tenantId);
        await trx.raw(
          `
          select x.currency, x.transaction_type, x.status,
                 date_trunc('month', x.occurred_at at time zone t.timezone) as month, sum(x.amount), count(*)
            from transactions x join tenants t on t.id = x.tenant_id
           where x.tenant_id = ? and x.status <> 'void'
           group by 1, 2, 3, 4`,
          [tenantId],
        );
      }),
    );
    results['naive: every dashboard number from raw rows'] = await timed(1, () =>
      owner.transaction(async (trx) => {
        await setTenant(trx, tenantId);
        await naiveNumbers(trx, tenantId, {});
      }),
    );
    return results;
  } finally {
    await api.destroy();
    await owner.destroy();
  }
}

async function main(): Promise<void> {
  const db = await openBenchDatabase(log);
  const servers = new Map<string, { app: FastifyInstance; url: string }>();
  const cached = await startCachedEnv();
  const scenarios = SCENARIOS;
  try {
    const tenant = await ensureBenchTenant(db, TRANSACTIONS, log);
    const loadBefore = os.loadavg()[0] ?? NaN;
    const token = await benchToken(db, tenant.id);
    const headers = { authorization: `Bearer ${token}` };

    log('timing the dashboard queries directly (no HTTP) and the naive raw-row aggregation …');
    const queries = await measureQueries(db, tenant.id);

    const rows: Array<{
      scenario: Scenario;
      load?: LoadResult;
      ab?: AbResult;
      cpu?: { node: number; pg: number };
    }> = [];
    const pgCpu = async (): Promise<number> => (db.postmasterPid ? postgresCpuMs(db.postmasterPid) : NaN);
    for (const scenario of scenarios) {
      const key = JSON.stringify(scenario.env ?? {});
      let server = servers.get(key);
      if (!server) {
        server = await startServer(db, scenario.env ?? {});
        servers.set(key, server);
      }
      const url = `${server.url}${scenario.path}`;
      const sent = { ...(scenario.auth ? headers : {}), ...scenario.headers };
      const check = await fetch(url, { headers: sent });
      if (check.status !== 200)
        throw new Error(`${scenario.path} answered ${check.status}: ${await check.text()}`);
      log(`${scenario.name} (${scenario.tool}, ${scenario.connections} connections) …`);
      if (scenario.tool === 'ab') {
        rows.push({
          scenario,
          ab: await apacheBench(url, {
            requests: scenario.requests ?? 100,
            concurrency: scenario.connections,
            headers: sent,
          }),
        });
      } else {
        // A short warm-up (JIT, connection pool, PostgreSQL buffers) that is not measured.
        await autocannon(url, {
          connections: scenario.connections,
          seconds: 1,
          headers: sent,
        });
        const [node0, pg0] = [processCpuMs(), await pgCpu()];
        const load = await autocannon(url, {
          connections: scenario.connections,
          seconds: SECONDS,
          headers: sent,
        });
        const [node1, pg1] = [processCpuMs(), await pgCpu()];
        const requests = Math.max(1, load.requests);
        rows.push({ scenario, load, cpu: { node: (node1 - node0) / requests, pg: (pg1 - pg0) / requests } });
      }
    }

    // Hello world and the cached dashboard on one server, interleaved (cached.scenario.ts).
    let server = servers.get(JSON.stringify(cached.env));
    if (!server) {
      server = await startServer(db, cached.env);
      servers.set(JSON.stringify(cached.env), server);
    }
    const cachedComparison = await compareCachedWithHello({
      helloUrl: `${server.url}${HELLO}`,
      dashboardUrl: `${server.url}${DASHBOARD}`,
      headers,
      seconds: Math.min(SECONDS, 5),
      rounds: Number(process.env.BENCH_ROUNDS ?? 5),
      log,
    });

    const out: string[] = [];
    out.push('');
    out.push(
      `findash dashboard benchmark — tenant ${tenant.name}: ${tenant.transactions.toLocaleString('en')} transactions` +
        (tenant.seededNow ? ` (seeded now in ${fmt(tenant.seedSeconds ?? NaN, 1)} s)` : ' (reused)'),
    );
    out.push(
      `node ${process.version}, ${SECONDS} s per autocannon run, load generators in separate processes`,
    );
    // Other work on the machine skews every number: say how busy it was.
    out.push(
      `machine: ${os.cpus().length} CPUs, 1-minute load average ${fmt(loadBefore)} at start, ${fmt(os.loadavg()[0] ?? NaN)} at end`,
    );
    out.push('');
    out.push('query (no HTTP)                                   p50 ms    p99 ms    min ms');
    for (const [name, t] of Object.entries(queries)) {
      out.push(
        `${name.padEnd(48)} ${fmt(t.p50).padStart(8)}  ${fmt(t.p99).padStart(8)}  ${fmt(t.min).padStart(8)}`,
      );
    }
    out.push('');
    out.push(
      'HTTP scenario                                 conns      req/s    p50 ms    p99 ms   mean ms  non-2xx   CPU ms/request (node + PostgreSQL)',
    );
    for (const { scenario, load, ab, cpu } of rows) {
      const name = `${scenario.name}${scenario.headers ? ` ${JSON.stringify(scenario.headers)}` : ''}`.padEnd(
        44,
      );
      if (load) {
        out.push(
          `${name} ${String(scenario.connections).padStart(5)} ${fmt(load.requestsPerSecond, 0).padStart(10)} ${fmt(load.p50).padStart(9)} ${fmt(load.p99).padStart(9)} ${fmt(load.mean).padStart(9)} ${String(load.non2xx + load.errors).padStart(8)}   ${cpu ? `${fmt(cpu.node)} + ${fmt(cpu.pg)}` : ''}`,
        );
      } else if (ab) {
        out.push(
          `${name} ${String(scenario.connections).padStart(5)} ${fmt(ab.requestsPerSecond, 0).padStart(10)} ${'-'.padStart(9)} ${'-'.padStart(9)} ${fmt(ab.meanMs).padStart(9)} ${String(ab.failed + ab.non2xx).padStart(8)}`,
        );
      }
    }
    const fresh = rows.find(
      (r) => r.scenario.path === DASHBOARD && r.scenario.connections === 1 && !r.scenario.env,
    )?.load;
    const ab = rows.find((r) => r.ab)?.ab;
    out.push('');
    out.push('targets (DESIGN §10)');
    if (fresh)
      out.push(
        `  fresh dashboard p50 (1 connection): ${fmt(fresh.p50)} ms  (target < 25 ms) ${fresh.p50 < 25 ? 'OK' : 'MISSED'}`,
      );
    const freshCpu = rows.find(
      (r) => r.scenario.path === DASHBOARD && r.scenario.connections === 1 && !r.scenario.env,
    )?.cpu;
    if (freshCpu && Number.isFinite(freshCpu.pg)) {
      out.push(
        `  fresh dashboard CPU per request: ${fmt(freshCpu.node + freshCpu.pg)} ms (node ${fmt(freshCpu.node)} + PostgreSQL ${fmt(freshCpu.pg)}): ` +
          'the latency floor on an otherwise idle machine',
      );
    }
    const direct = queries['domain: full dashboard (one transaction)'];
    if (direct)
      out.push(`  fresh dashboard queries alone p50: ${fmt(direct.p50)} ms (min ${fmt(direct.min)} ms)`);
    if (ab)
      out.push(
        `  ab -n 100 -c 10 average: ${fmt(ab.meanMs)} ms per request  (must be well under 200 ms; aim < 5 ms) ${ab.meanMs < 200 ? 'OK' : 'MISSED'}`,
      );
    const naive = queries['naive: one aggregation over raw rows'];
    if (naive && direct)
      out.push(
        `  naive raw-row aggregation: ${fmt(naive.p50)} ms, ${fmt(naive.p50 / direct.p50, 0)}× the rollup dashboard`,
      );
    out.push('');
    out.push(...formatCachedComparison(cachedComparison));
    console.log(out.join('\n'));

    const file = path.join(repoRoot(), '.findash', 'bench-results.json');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(
      file,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          tenant,
          seconds: SECONDS,
          loadAverage: { start: loadBefore, end: os.loadavg()[0] },
          queries,
          scenarios: rows,
          cached: cachedComparison,
        },
        null,
        2,
      ),
    );
    log(`results written to ${file}`);
  } finally {
    for (const server of servers.values()) await server.app.close();
    await cached.stop();
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
