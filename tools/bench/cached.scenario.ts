/**
 * The cached-dashboard scenario of `npm run bench` (targets: README, Benchmarks): GET /financial/dashboard served
 * from a real memcached, compared with the bare hello-world route in the same run. Target: at
 * least 0.6× hello world's requests/s, p99 under 25 ms, at 100 connections.
 *
 * dashboard.bench.ts runs compareCachedWithHello on a server started with startCachedEnv's
 * configuration. Run on its own (own embedded PostgreSQL, smaller tenant: the cached answer
 * does not depend on the tenant's size): `npm run bench:cached` (BENCH_SECONDS per run,
 * default 5; BENCH_ROUNDS, default 5).
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
import { startMemcached } from '../../test/harness/memcached.js';
import { freePort } from '../../test/harness/ports.js';
import { repoRoot } from '../../test/harness/repo-root.js';
import { benchToken, ensureBenchTenant } from './bench-database.js';
import { autocannon, hasWrk, wrk, type LoadResult } from './load.js';
import { settleMachine } from './cpu.js';
import { fmt, median } from './stats.js';

/** The app configuration of the cached runs, with a memcached of their own. */
export async function startCachedEnv(): Promise<{
  env: Readonly<Record<string, string>>;
  stop: () => Promise<void>;
}> {
  const memcached = await startMemcached();
  return {
    env: { DASHBOARD_CACHE_TTL: '600', MEMCACHED_SERVERS: memcached.servers },
    stop: () => memcached.stop(),
  };
}

export interface CachedRound {
  /** Share of the machine's CPUs busy in the second before the round (see settleMachine). */
  readonly busyBefore: number;
  readonly hello: LoadResult;
  readonly plain: LoadResult;
  readonly gzip: LoadResult;
}

export interface CachedComparison {
  readonly tool: 'wrk' | 'autocannon';
  readonly seconds: number;
  readonly rounds: readonly CachedRound[];
}

/**
 * Hello world, the cached dashboard and the cached dashboard with Accept-Encoding: gzip, one
 * after the other at 100 connections, `rounds` times: the machine's noise (other work, CPU
 * frequency, the host) moves every run, so each round compares neighbouring seconds and the
 * medians are reported. Each round first waits for a quiet machine: other work slows the tiny
 * hello-world route more than the dashboard, so a busy machine inflates the ratio (measured:
 * 0.66× right after the fresh-dashboard scenarios, 0.55× on a quiet machine). wrk is the load generator when installed (see load.ts), else autocannon.
 */
export async function compareCachedWithHello(options: {
  readonly helloUrl: string;
  readonly dashboardUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly seconds: number;
  readonly rounds: number;
  readonly log: (line: string) => void;
}): Promise<CachedComparison> {
  const tool = (await hasWrk()) ? 'wrk' : 'autocannon';
  const load = tool === 'wrk' ? wrk : autocannon;
  const run = async (url: string, headers: Record<string, string>): Promise<LoadResult> => {
    const check = await fetch(url, { headers });
    if (check.status !== 200) throw new Error(`${url} answered ${check.status}: ${await check.text()}`);
    await load(url, { connections: 100, seconds: 1, headers });
    return load(url, { connections: 100, seconds: options.seconds, headers });
  };
  const rounds: CachedRound[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    options.log(
      `cached dashboard vs hello world (${tool}, 100 connections), round ${round}/${options.rounds} …`,
    );
    const busyBefore = await settleMachine();
    if (busyBefore >= 0.1) {
      options.log(
        `the machine stayed ${fmt(busyBefore * 100, 0)}% busy: this round's ratio is not a quiet machine's`,
      );
    }
    rounds.push({
      busyBefore,
      hello: await run(options.helloUrl, {}),
      plain: await run(options.dashboardUrl, { ...options.headers }),
      gzip: await run(options.dashboardUrl, { ...options.headers, 'accept-encoding': 'gzip' }),
    });
  }
  return { tool, seconds: options.seconds, rounds };
}

/** The comparison's table and its verdict against the targets (README, Benchmarks). */
export function formatCachedComparison(result: CachedComparison): string[] {
  const out: string[] = [];
  out.push(
    `cached dashboard vs hello world: ${result.tool}, 100 connections, ${result.seconds} s per run, ${result.rounds.length} rounds`,
  );
  out.push(
    'round  hello req/s  dashboard req/s (ratio, p99 ms)   dashboard gzip req/s (ratio, p99 ms)   errors  busy before',
  );
  result.rounds.forEach((r, i) => {
    const errors = [r.hello, r.plain, r.gzip].reduce((n, x) => n + x.non2xx + x.errors, 0);
    out.push(
      `${String(i + 1).padStart(5)} ${fmt(r.hello.requestsPerSecond, 0).padStart(12)}  ` +
        `${fmt(r.plain.requestsPerSecond, 0).padStart(10)} (${fmt(r.plain.requestsPerSecond / r.hello.requestsPerSecond)}×, ${fmt(r.plain.p99)})`.padEnd(
          33,
        ) +
        `${fmt(r.gzip.requestsPerSecond, 0).padStart(10)} (${fmt(r.gzip.requestsPerSecond / r.hello.requestsPerSecond)}×, ${fmt(r.gzip.p99)})`.padEnd(
          40,
        ) +
        String(errors).padStart(6) +
        `${fmt(r.busyBefore * 100, 0)}%`.padStart(13),
    );
  });
  const hello = median(result.rounds.map((r) => r.hello.requestsPerSecond));
  for (const [label, pick] of [
    ['dashboard from memcached', (r: CachedRound) => r.plain],
    ['the same with Accept-Encoding: gzip', (r: CachedRound) => r.gzip],
  ] as const) {
    const rps = median(result.rounds.map((r) => pick(r).requestsPerSecond));
    const ratio = median(result.rounds.map((r) => pick(r).requestsPerSecond / r.hello.requestsPerSecond));
    const p99 = Math.max(...result.rounds.map((r) => pick(r).p99));
    out.push(
      `  ${label}: median ${fmt(rps, 0)} req/s vs hello world ${fmt(hello, 0)}: ${fmt(ratio)}× (median of the rounds' ratios; target ≥ 0.6×) ${ratio >= 0.6 ? 'OK' : 'MISSED'}; worst p99 ${fmt(p99)} ms (target < 25 ms) ${p99 < 25 ? 'OK' : 'MISSED'}`,
    );
  }
  return out;
}

const BASE_ENV = {
  FINDASH_ENV: 'production',
  LOG_LEVEL: 'silent',
  DASHBOARD_CACHE_TTL: '0',
  RATE_LIMIT_DEFAULT_RPM: '0',
};

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const log = (line: string): void => void process.stderr.write(`[cached-bench] ${line}\n`);
  const dataDir = path.join(repoRoot(), '.findash', `cached-bench-pg-${process.pid}`);
  const password = randomBytes(12).toString('hex');
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, password });
  const cached = await startCachedEnv();
  let app: { close(): Promise<unknown> } | null = null;
  try {
    const creds = await ensureDatabase(pg.superuserUrl, 'findash_bench', { owner: password, app: password });
    const owner = createKnex({ url: creds.ownerUrl, statementTimeoutMs: 0 });
    await migrateLatest(owner);
    const db = { ...creds, owner, stop: () => owner.destroy() };
    const tenant = await ensureBenchTenant(db, Number(process.env.BENCH_TRANSACTIONS ?? 20_000), log);
    const headers = { authorization: `Bearer ${await benchToken(db, tenant.id)}` };
    await owner.destroy();

    const config = loadConfig({
      ...BASE_ENV,
      ...cached.env,
      DATABASE_URL: creds.appUrl,
      HOST: '127.0.0.1',
      PORT: '0',
    });
    const server = await buildApp({ config, logger: false });
    app = server;
    // The comparison route: on the same server, outside the app's plugins and hooks.
    server.get('/bench/hello', async () => ({ hello: 'world' }));
    const base = await server.listen({ host: '127.0.0.1', port: 0 });
    const result = await compareCachedWithHello({
      helloUrl: `${base}/bench/hello`,
      dashboardUrl: `${base}/financial/dashboard`,
      headers,
      seconds,
      rounds,
      log,
    });
    console.log(['', ...formatCachedComparison(result)].join('\n'));
  } finally {
    await app?.close();
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
