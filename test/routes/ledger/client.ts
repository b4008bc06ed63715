import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Knex } from 'knex';

import { createKnex } from '../../../app/db/knex.js';
import { DashboardCache } from '../../../app/cache/dashboard-cache.js';
import { LruStore } from '../../../app/cache/memory-store.js';
import { bearer, startTestApp, type TestApp, type TestTenant } from '../../harness/app.js';

/**
 * A started app plus what ledger route tests need: a JSON client per token, and row counts
 * across every tenant (superuser, bypassing RLS) to prove refused requests wrote nothing.
 */
export interface LedgerApp extends TestApp {
  readonly superuser: Knex;
  /** A second view of the app's cache store: its generation stamp moves when the app invalidates. */
  readonly dashboardCache: DashboardCache;
  client(token?: string): LedgerClient;
  counts(): Promise<Counts>;
}

export interface LedgerClient {
  request(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(url: string, body: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
}

const TABLES = [
  'accounts',
  'transactions',
  'budgets',
  'idempotency_keys',
  'audit_events',
  'audit_outbox',
] as const;
export type Counts = Record<(typeof TABLES)[number], number>;

/** A page of any ledger list, as the API returns it. */
export interface PageBody<T> {
  data: T[];
  next_cursor: string | null;
}

export async function startLedgerApp(): Promise<LedgerApp> {
  const store = new LruStore();
  const t = await startTestApp({}, { cacheStore: store });
  const superuser = createKnex({ url: t.db.superuserUrl, poolMax: 2 });
  return {
    ...t,
    superuser,
    dashboardCache: new DashboardCache(store, t.config.DASHBOARD_CACHE_TTL),
    client(token?: string): LedgerClient {
      const auth = token === undefined ? {} : bearer(token);
      // A string body is sent as raw JSON text (malformed JSON, huge numbers); objects are serialized.
      const request = (
        method: InjectOptions['method'],
        url: string,
        body?: unknown,
        headers: Record<string, string> = {},
      ) =>
        t.app.inject({
          method,
          url,
          headers: {
            ...auth,
            ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
          ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : (body as object) }),
        });
      return {
        request,
        get: (url) => request('GET', url),
        post: (url, body, headers) => request('POST', url, body, headers),
        patch: (url, body) => request('PATCH', url, body),
        delete: (url) => request('DELETE', url),
      };
    },
    async counts() {
      const result = {} as Counts;
      for (const table of TABLES) {
        const counted = await superuser.raw<{ rows: Array<{ n: number }> }>(
          `select count(*)::int as n from ${table}`,
        );
        result[table] = counted.rows[0]?.n ?? 0;
      }
      return result;
    },
    async close() {
      await superuser.destroy();
      await t.close();
    },
  };
}

export type { TestTenant };

/** An ISO timestamp `days` before now, whole seconds, UTC. */
export function daysAgo(days: number): string {
  const t = new Date(Date.now() - days * 86_400_000);
  t.setUTCMilliseconds(0);
  return t.toISOString();
}
