import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

import { buildApp } from '../../app/build.js';
import { loadConfig } from '../../app/config.js';
import { asPlatform } from '../../app/db/tenant-scope.js';
import { bearer, type TestApp } from '../harness/app.js';

/**
 * Another API instance on the same database as `t` (a second replica), with its own pool,
 * cache client, metrics and publisher. Close it before t.close().
 */
export async function startReplica(t: TestApp, env: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = loadConfig({
    FINDASH_ENV: 'testing',
    LOG_LEVEL: 'silent',
    DATABASE_URL: t.db.appUrl,
    DATABASE_OWNER_URL: t.db.ownerUrl,
    // Tests read the database gauges right after changing the data: every scrape reads them.
    METRICS_DB_REFRESH_MS: '0',
    ...env,
  });
  const app = await buildApp({ config, logger: false, authCacheTtlMs: 0 });
  await app.ready();
  return app;
}

export async function get(app: FastifyInstance, url: string, token: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url, headers: bearer(token) });
}

export async function post(
  app: FastifyInstance,
  url: string,
  token: string,
  payload: unknown,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    headers: bearer(token),
    payload: payload as Record<string, unknown>,
  });
}

/** Creates an account through the real write endpoint; returns its id. */
export async function createAccount(
  app: FastifyInstance,
  token: string,
  name: string,
  currency = 'USD',
): Promise<string> {
  const res = await post(app, '/financial/accounts', token, { name, account_type: 'checking', currency });
  if (res.statusCode !== 201) throw new Error(`account create answered ${res.statusCode}: ${res.body}`);
  return res.json<{ id: string }>().id;
}

/** Records a posted income through the real write endpoint. */
export async function addIncome(
  app: FastifyInstance,
  token: string,
  accountId: string,
  amount: string,
): Promise<LightMyRequestResponse> {
  return post(app, '/financial/transactions', token, {
    account_id: accountId,
    amount,
    currency: 'USD',
    transaction_type: 'income',
    category: 'salary',
    occurred_at: new Date().toISOString(),
  });
}

/** Value of one sample in Prometheus text, or 0 if absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map<string, string>();
    for (const pair of (match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      have.set(pair[1] ?? '', pair[2] ?? '');
    if (wanted.every(([k, v]) => have.get(k) === v)) return Number(match[4]);
  }
  return 0;
}

export async function scrape(app: FastifyInstance): Promise<string> {
  const res = await app.inject({ url: '/metrics' });
  if (res.statusCode !== 200) throw new Error(`/metrics answered ${res.statusCode}`);
  return res.body;
}

/** Rows of audit_outbox, across tenants (platform scope, as the publisher reads them). */
export async function outboxCount(t: TestApp): Promise<number> {
  return asPlatform(t.owner, async (trx) => {
    const [row] = (await trx('audit_outbox').count<{ count: string }[]>('* as count')) as Array<{
      count: string | number;
    }>;
    return Number(row?.count ?? 0);
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Runs `work` for indexes 0..n-1 with at most `concurrency` in flight. */
export async function pool<T>(n: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await work(i);
      }
    }),
  );
  return results;
}

/** findash_db_query_duration_seconds_count by operation, from a scrape. */
export function queryCounts(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(
    /^findash_db_query_duration_seconds_count\{operation="([^"]+)"\} (\S+)$/gm,
  )) {
    counts[match[1] ?? ''] = Number(match[2]);
  }
  return counts;
}
