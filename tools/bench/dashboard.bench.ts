/**
 * Dashboard benchmark (targets: README, Benchmarks): `npm run bench`.
 *
 * Starts embedded PostgreSQL (or uses DATABASE_URL), seeds — or reuses — tenant bench-1 with
 * 1,000,000 transactions, starts the real app (buildApp, listening on 127.0.0.1) and reports,
 * from one run: a bare hello-world route on the same server setup, GET /financial/dashboard
 * computed fresh per request (DASHBOARD_CACHE_TTL=0), the domain queries on their own, a naive
 * aggregation over raw rows for comparison, and `ab -n 100 -c 10`.
 *
 * Add a scenario by adding one entry to SCENARIOS (scenarios.ts); `env` overrides the app configuration
 * and a server is started per distinct `env` (e.g. { DASHBOARD_CACHE_TTL: '600' } for a cached run).
 * BENCH_TRANSACTIONS (default 1000000) and BENCH_SECONDS (default 10) change the size and length;
 * BENCH_RESEED=1 seeds the tenant again even when one of that size exists.
 * Results are also written to .findash/bench-results.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { FastifyInstance } from 'fastify';

import { repoRoot } from '../../test/harness/repo-root.js';
import { benchToken, ensureBenchTenant, openBenchDatabase } from './bench-database.js';
import { compareCachedWithHello, startCachedEnv } from './cached.scenario.js';
import { postgresCpuMs, processCpuMs } from './cpu.js';
import { apacheBench, autocannon } from './load.js';
import { measureQueries } from './queries.js';
import { formatReport, type ScenarioRow } from './report.js';
import { DASHBOARD, HELLO, SCENARIOS, startServer } from './scenarios.js';

const TRANSACTIONS = Number(process.env.BENCH_TRANSACTIONS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

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

    const rows: ScenarioRow[] = [];
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

    console.log(formatReport({ tenant, seconds: SECONDS, loadBefore, queries, rows, cachedComparison }));

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
