import fp from 'fastify-plugin';

import { dbErrorKind } from '../../db/error-kind.js';
import { poolStats } from '../../db/knex.js';

interface QueryEvent {
  readonly __knexQueryUid?: string;
  readonly sql?: string;
}

const MAX_OPERATIONS = 200;

/** "select:accounts", "insert:audit_outbox", "transaction" … bounded by the schema. */
function operationOf(sql: string): string {
  const verb = /^\s*(select|insert|update|delete|with|begin|commit|rollback|savepoint|release)\b/i
    .exec(sql)?.[1]
    ?.toLowerCase();
  if (!verb) return 'other';
  if (['begin', 'commit', 'rollback', 'savepoint', 'release'].includes(verb)) return 'transaction';
  const table = /\b(?:from|into|update)\s+"?([a-z_][a-z0-9_]*)"?/i.exec(sql)?.[1]?.toLowerCase();
  return table ? `${verb}:${table}` : verb;
}

/** Rejects after `ms` so a pool waiting for a connection cannot hold up a scrape. */
function withDeadline<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * PostgreSQL metrics: query durations, slow queries and errors from knex's query events (they
 * also fire for queries inside transactions), pool usage, and, at scrape time (at most once per
 * METRICS_DB_REFRESH_MS), database size, lock waits, active tenants and outbox depth in one short
 * read-only transaction with its own
 * statement timeout (a slow or failing database never fails the scrape; the gauges keep their
 * last value and the failure is counted).
 */
export default fp(
  async (fastify) => {
    const { db, metrics, config } = fastify;
    const recorded = new WeakSet<object>();
    const started = new Map<string, number>();
    const operations = new Set<string>();

    function recordError(error: unknown): void {
      const kind = dbErrorKind(error);
      if (!kind || typeof error !== 'object' || error === null || recorded.has(error)) return;
      recorded.add(error);
      metrics.dbErrors.inc({ kind });
    }

    function bounded(set: Set<string>, value: string, max: number): string {
      if (set.has(value)) return value;
      if (set.size >= max) return 'other';
      set.add(value);
      return value;
    }

    db.on('query', (query: QueryEvent) => {
      // BEGIN/COMMIT/ROLLBACK are emitted as plain 'query' events (no uid, no response event).
      if (query.__knexQueryUid) started.set(query.__knexQueryUid, performance.now());
    });
    db.on('query-response', (_response: unknown, query: QueryEvent) => {
      const uid = query.__knexQueryUid;
      const begin = uid ? started.get(uid) : undefined;
      if (uid) started.delete(uid);
      const sql = query.sql ?? '';
      if (begin === undefined) return;
      const ms = performance.now() - begin;
      const operation = bounded(operations, operationOf(sql), MAX_OPERATIONS);
      metrics.dbQueryDuration.observe({ operation }, ms / 1000);
      if (ms > config.DB_SLOW_QUERY_MS) {
        metrics.dbSlowQueries.inc({ operation });
        fastify.log.warn({ operation, duration_ms: Math.round(ms) }, 'slow query');
      }
    });
    db.on('query-error', (error: unknown, query: QueryEvent) => {
      if (query.__knexQueryUid) started.delete(query.__knexQueryUid);
      recordError(error);
    });

    // Errors that never reached a query (no connection, pool exhausted) surface as request errors.
    fastify.addHook('onError', async (_request, _reply, error) => {
      recordError(error);
    });
    fastify.decorate('recordDbError', recordError);

    metrics.dbPoolMax.set(config.DATABASE_POOL_MAX);
    metrics.onScrape(async () => {
      const pool = poolStats(db);
      metrics.dbPool.set({ state: 'total' }, pool.total);
      metrics.dbPool.set({ state: 'idle' }, pool.idle);
      metrics.dbPool.set({ state: 'waiting' }, pool.waiting);
      // Queries whose end we never saw (connection lost mid-way) must not pile up.
      if (started.size > 10_000) started.clear();
    });
    // One read of the database statistics per METRICS_DB_REFRESH_MS, shared by every scrape in between (and
    // by concurrent scrapes while it runs).
    let lastRead = Number.NEGATIVE_INFINITY;
    let reading: Promise<void> | null = null;
    metrics.onScrape(async () => {
      if (reading) return reading;
      if (performance.now() - lastRead < config.METRICS_DB_REFRESH_MS) return;
      reading = readDatabaseStats().finally(() => {
        lastRead = performance.now();
        reading = null;
      });
      return reading;
    });
    async function readDatabaseStats(): Promise<void> {
      try {
        const stats = await withDeadline(
          2000,
          db.transaction(
            async (trx) => {
              await trx.raw(
                `select set_config('statement_timeout', '1000', true), set_config('app.platform', 'on', true)`,
              );
              const result = await trx.raw<{
                rows: Array<{
                  size: string;
                  lock_waits: number;
                  active_tenants: number;
                  outbox_depth: number;
                }>;
              }>(`
              select pg_database_size(current_database())::text as size,
                     -- this database's sessions only: the server may host others (pg_locks
                     -- has no database for transaction-id locks, so filter by session)
                     (select count(distinct l.pid) from pg_locks l join pg_stat_activity a on a.pid = l.pid
                       where not l.granted and a.datname = current_database())::int as lock_waits,
                     (select count(*) from tenants where status = 'active')::int as active_tenants,
                     (select count(*) from audit_outbox)::int as outbox_depth`);
              return result.rows[0];
            },
            { readOnly: true },
          ),
        );
        if (!stats) return;
        metrics.dbSize.set(Number(stats.size));
        metrics.dbLockWaits.set(stats.lock_waits);
        metrics.activeTenants.set(stats.active_tenants);
        metrics.outboxDepth.set(stats.outbox_depth);
      } catch (error) {
        recordError(error);
        fastify.log.warn(
          { err: (error as Error).message },
          'database statistics unavailable for this scrape',
        );
      }
    }
  },
  { name: 'db-metrics', dependencies: ['db', 'metrics', 'config'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    /** Counts a PostgreSQL error in findash_db_errors_total once, whoever sees it first. */
    recordDbError(error: unknown): void;
  }
}
