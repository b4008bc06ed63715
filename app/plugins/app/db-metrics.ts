import fp from 'fastify-plugin';

import { dbErrorKind } from '../../db/error-kind.js';
import { readDatabaseStats } from '../../db/database-stats.js';
import { poolStats } from '../../db/knex.js';
import { timeQueries } from '../../db/query-timing.js';

/**
 * PostgreSQL metrics: query durations and slow queries (app/db/query-timing.ts), errors counted
 * once whoever sees them first, pool usage, and, at scrape time (at most once per
 * METRICS_DB_REFRESH_MS), the database statistics (app/db/database-stats.ts): a slow or failing
 * database never fails the scrape; the gauges keep their last value and the failure is counted.
 */
export default fp(
  async (fastify) => {
    const { db, metrics, config } = fastify;
    const recorded = new WeakSet<object>();
    function recordError(error: unknown): void {
      const kind = dbErrorKind(error);
      if (!kind || typeof error !== 'object' || error === null || recorded.has(error)) return;
      recorded.add(error);
      metrics.dbErrors.inc({ kind });
    }

    const pruneQueries = timeQueries(
      db,
      (operation, ms) => {
        metrics.dbQueryDuration.observe({ operation }, ms / 1000);
        if (ms > config.DB_SLOW_QUERY_MS) {
          metrics.dbSlowQueries.inc({ operation });
          fastify.log.warn({ operation, duration_ms: Math.round(ms) }, 'slow query');
        }
      },
      recordError,
    );

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
      pruneQueries();
    });
    // One read of the database statistics per METRICS_DB_REFRESH_MS, shared by every scrape in between (and
    // by concurrent scrapes while it runs).
    let lastRead = Number.NEGATIVE_INFINITY;
    let reading: Promise<void> | null = null;
    metrics.onScrape(async () => {
      if (reading) return reading;
      if (performance.now() - lastRead < config.METRICS_DB_REFRESH_MS) return;
      reading = readStats().finally(() => {
        lastRead = performance.now();
        reading = null;
      });
      return reading;
    });
    async function readStats(): Promise<void> {
      try {
        const stats = await readDatabaseStats(db);
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
