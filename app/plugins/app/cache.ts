import fp from 'fastify-plugin';

import { DashboardCache } from '../../cache/dashboard-cache.js';
import { MemcachedStore } from '../../cache/memcached-store.js';
import { LruStore } from '../../cache/memory-store.js';
import type { CacheStore } from '../../cache/store.js';
import { HotCounter } from '../../metrics/hot-counter.js';

declare module 'fastify' {
  interface FastifyInstance {
    dashboardCache: DashboardCache;
  }
}

/**
 * Wires the dashboard cache (app/cache/dashboard-cache.ts) into the app: chooses its store
 * (memcached when MEMCACHED_SERVERS is set, else the in-process LRU), counts its hits, misses,
 * store failures and breaker state in the metrics, invalidates a tenant after each of its
 * writes (db's afterTenantWrite), and reports the store in /health: an unreachable memcached is
 * `degraded`, never `down` (dashboards are still served, from PostgreSQL).
 */
export default fp<{ store?: CacheStore }>(
  async (fastify, opts) => {
    const { config, metrics } = fastify;
    const store =
      opts.store ??
      (config.MEMCACHED_SERVERS
        ? new MemcachedStore({
            servers: config.MEMCACHED_SERVERS,
            timeoutMs: config.MEMCACHED_TIMEOUT_MS,
            cooldownMs: config.MEMCACHED_BREAKER_COOLDOWN_MS,
            onError: (operation, error) => {
              metrics.cacheErrors.inc({ operation });
              fastify.log.warn({ operation, err: error.message }, 'memcached operation failed');
            },
            onBreakerState: (state) => {
              metrics.breakerState.set({ dependency: 'memcached' }, state);
              fastify.log.warn({ dependency: 'memcached', state }, 'circuit breaker changed state');
            },
          })
        : new LruStore());
    const hits = new HotCounter<'dashboard'>(metrics.cacheHits, 'cache', metrics);
    const misses = new HotCounter<'dashboard'>(metrics.cacheMisses, 'cache', metrics);
    const cache = new DashboardCache(store, config.DASHBOARD_CACHE_TTL, {
      hit: () => hits.inc('dashboard'),
      miss: () => misses.inc('dashboard'),
    });
    fastify.decorate('dashboardCache', cache);
    // Every request write invalidates its tenant's dashboards before the write answers.
    fastify.afterTenantWrite((actor) => cache.invalidateTenant(actor));
    fastify.addHealthCheck({
      name: 'cache',
      critical: false,
      run: async () => {
        const health = await cache.health();
        return { ...health, detail: health.detail ?? `store: ${cache.storeName}` };
      },
    });
    fastify.addHook('onClose', async () => cache.close());
  },
  { name: 'cache', dependencies: ['config', 'metrics', 'health', 'db'] },
);
