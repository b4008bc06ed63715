import { randomBytes } from 'node:crypto';

import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';

import { MemcachedStore } from '../cache/memcached-store.js';
import type { ActorContext } from '../domain/context.js';

export interface StoreHealth {
  readonly status: 'up' | 'degraded' | 'down';
  readonly detail?: string;
}

/**
 * Where cached dashboards live. The in-process LRU is the default; the memcached store
 * (app/cache/memcached-store.ts) replaces it when MEMCACHED_SERVERS is set. A store may throw
 * (timeout, outage): the DashboardCache treats that as a miss and never fails a request for it.
 */
export interface CacheStore {
  readonly name: string;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Stores only if the key is absent; true if stored. */
  add(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  health?(): Promise<StoreHealth>;
  close(): Promise<void>;
}

export class LruStore implements CacheStore {
  readonly name = 'memory';
  private readonly lru = new LRUCache<string, string>({ max: 5000, ttlAutopurge: false });
  get(key: string): Promise<string | null> {
    return Promise.resolve(this.lru.get(key) ?? null);
  }
  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.lru.set(key, value, { ttl: ttlSeconds * 1000 });
    return Promise.resolve();
  }
  add(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.lru.has(key)) return Promise.resolve(false);
    this.lru.set(key, value, { ttl: ttlSeconds * 1000 });
    return Promise.resolve(true);
  }
  close(): Promise<void> {
    this.lru.clear();
    return Promise.resolve();
  }
}

/** Counts what the cache did, for findash_cache_hits_total / findash_cache_misses_total. */
export interface CacheObserver {
  hit(): void;
  miss(): void;
}

type TenantRef = Pick<ActorContext, 'tenantType' | 'tenantId'>;

/**
 * Dashboard cache under `dashboard:{tenant_type}:{tenant_id}` (DESIGN §2). A tenant's entries
 * share a generation stamp kept in the store itself; a write replaces the stamp, which orphans
 * every entry of that tenant at once on every instance sharing the store (the orphans expire
 * with their TTL). Concurrent misses for one key compute once per instance.
 *
 * Failures of the store never fail a request: a failed read is a miss (served from PostgreSQL),
 * a failed write is skipped. A failed invalidation is remembered and retried before this
 * instance next reads that tenant, so entries that survive an outage (memcached unreachable
 * but not restarted) are never served to this instance's clients after their write.
 */
export class DashboardCache {
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly generations = new Map<string, Promise<string>>();
  private readonly pendingInvalidations = new Set<string>();
  /**
   * A near copy of entries this instance read or wrote, keyed like the store (so by generation):
   * an entry is immutable for its generation, and the generation is still read from the shared
   * store on every request, so a write on any instance still invalidates here at once. It saves
   * moving and decoding the (tens of KB) dashboard from memcached on every hit.
   */
  private readonly local: LRUCache<string, string> | null;

  constructor(
    private readonly store: CacheStore,
    readonly ttlSeconds: number,
    private readonly observer: CacheObserver = { hit: () => undefined, miss: () => undefined },
  ) {
    this.local =
      store.name === 'memory' || ttlSeconds === 0
        ? null
        : new LRUCache<string, string>({
            maxSize: 64 * 1024 * 1024,
            sizeCalculation: (value, key) => value.length + key.length,
            ttl: ttlSeconds * 1000,
          });
  }

  get storeName(): string {
    return this.store.name;
  }

  private tenantKey(ctx: TenantRef): string {
    return `dashboard:${ctx.tenantType}:${ctx.tenantId}`;
  }

  /** The tenant's current generation; one store round trip per concurrent burst. */
  private generation(ctx: TenantRef): Promise<string> {
    const key = `${this.tenantKey(ctx)}:gen`;
    const pending = this.generations.get(key);
    if (pending) return pending;
    const lookup = (async () => {
      try {
        if (this.pendingInvalidations.has(key)) await this.retryInvalidation(key);
        const current = await this.store.get(key);
        if (current) return current;
        const fresh = randomBytes(6).toString('hex');
        // add, not set: an instance creating the first generation must not overwrite one a
        // concurrent write just installed (that would resurrect pre-write entries).
        if (await this.store.add(key, fresh, this.ttlSeconds * 2)) return fresh;
        return (await this.store.get(key)) ?? fresh;
      } finally {
        this.generations.delete(key);
      }
    })();
    this.generations.set(key, lookup);
    return lookup;
  }

  async getOrCompute<T>(ctx: ActorContext, suffix: string, compute: () => Promise<T>): Promise<T> {
    const json = await this.getOrComputeJson(ctx, suffix, async () => JSON.stringify(await compute()));
    return JSON.parse(json) as T;
  }

  /**
   * Like getOrCompute, but hands back the cached JSON text itself, so a route can send it
   * without parsing and re-serializing it (the hot path of a cached dashboard).
   */
  async getOrComputeJson(ctx: ActorContext, suffix: string, compute: () => Promise<string>): Promise<string> {
    if (this.ttlSeconds === 0) return compute();
    let key: string;
    try {
      key = `${this.tenantKey(ctx)}:${await this.generation(ctx)}:${suffix}`;
    } catch {
      // Store unavailable: no generation, no caching; every request reads PostgreSQL.
      this.observer.miss();
      return this.joinOrCompute(`nocache:${this.tenantKey(ctx)}:${suffix}`, compute, false);
    }
    const joined = this.inflight.get(key);
    if (joined) {
      this.observer.miss();
      return joined as Promise<string>;
    }
    const near = this.local?.get(key);
    if (near !== undefined) {
      this.observer.hit();
      return near;
    }
    const hit = await this.store.get(key).catch(() => null);
    if (hit !== null) {
      this.local?.set(key, hit);
      this.observer.hit();
      return hit;
    }
    this.observer.miss();
    return this.joinOrCompute(key, compute, true);
  }

  private joinOrCompute(key: string, compute: () => Promise<string>, store: boolean): Promise<string> {
    const pending = this.inflight.get(key);
    if (pending) return pending as Promise<string>;
    const work = (async () => {
      try {
        const value = await compute();
        if (store) {
          await this.store.set(key, value, this.ttlSeconds).catch(() => undefined);
          this.local?.set(key, value);
        }
        return value;
      } finally {
        this.inflight.delete(key);
      }
    })();
    this.inflight.set(key, work);
    return work;
  }

  async invalidateTenant(ctx: TenantRef): Promise<void> {
    if (this.ttlSeconds === 0) return;
    const key = `${this.tenantKey(ctx)}:gen`;
    try {
      await this.store.set(key, randomBytes(6).toString('hex'), this.ttlSeconds * 2);
      this.pendingInvalidations.delete(key);
    } catch {
      this.pendingInvalidations.add(key);
    }
  }

  private async retryInvalidation(key: string): Promise<void> {
    await this.store.set(key, randomBytes(6).toString('hex'), this.ttlSeconds * 2);
    this.pendingInvalidations.delete(key);
  }

  health(): Promise<StoreHealth> {
    return this.store.health ? this.store.health() : Promise.resolve({ status: 'up' });
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    dashboardCache: DashboardCache;
  }
}

/**
 * Chooses the store (memcached when MEMCACHED_SERVERS is set, else the in-process LRU), wires
 * its failures and breaker state into the metrics, and reports it in /health: an unreachable
 * memcached is `degraded`, never `down` (dashboards are still served, from PostgreSQL).
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
    const cache = new DashboardCache(store, config.DASHBOARD_CACHE_TTL, {
      hit: () => metrics.cacheHits.inc({ cache: 'dashboard' }),
      miss: () => metrics.cacheMisses.inc({ cache: 'dashboard' }),
    });
    fastify.decorate('dashboardCache', cache);
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
  { name: 'cache', dependencies: ['config', 'metrics', 'health'] },
);
