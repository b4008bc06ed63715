import { randomBytes } from 'node:crypto';

import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';

import { MemcachedStore } from '../cache/memcached-store.js';
import type { ActorContext } from '../domain/context.js';
import { HotCounter } from './metrics.js';

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

/** The generation read in flight for a tenant, and the one queued behind it. */
interface GenerationRead {
  current: Promise<string>;
  next: Promise<string> | null;
}

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
  private readonly inflight = new Map<string, Promise<Buffer>>();
  private readonly generations = new Map<string, GenerationRead>();
  private readonly pendingInvalidations = new Set<string>();
  /**
   * A near copy of entries this instance read or wrote, keyed like the store (so by generation),
   * as the UTF-8 bytes that go on the wire: an entry is immutable for its generation, and the
   * generation is still read from the shared store on every request, so a write on any instance
   * still invalidates here at once. It saves moving and decoding the (tens of KB) dashboard from
   * memcached, and encoding it again, on every hit.
   */
  private readonly local: LRUCache<string, Buffer> | null;

  constructor(
    private readonly store: CacheStore,
    readonly ttlSeconds: number,
    private readonly observer: CacheObserver = { hit: () => undefined, miss: () => undefined },
  ) {
    this.local =
      ttlSeconds === 0
        ? null
        : new LRUCache<string, Buffer>({
            maxSize: 64 * 1024 * 1024,
            sizeCalculation: (value, key) => value.byteLength + key.length,
            ttl: ttlSeconds * 1000,
          });
  }

  get storeName(): string {
    return this.store.name;
  }

  private tenantKey(ctx: TenantRef): string {
    return `dashboard:${ctx.tenantType}:${ctx.tenantId}`;
  }

  /**
   * The tenant's current generation, read from the store after the caller arrived: a read
   * already in flight may have been answered before another instance's write replaced the
   * generation, so callers arriving meanwhile wait for the next read, which every one of them
   * shares. At most one read per tenant is in flight and one queued, so a burst of requests
   * costs two store round trips, not one per request.
   */
  private generation(tenantKey: string): Promise<string> {
    const state = this.generations.get(tenantKey);
    if (!state) {
      const fresh: GenerationRead = { current: this.readGeneration(`${tenantKey}:gen`), next: null };
      this.generations.set(tenantKey, fresh);
      void this.settle(tenantKey, fresh);
      return fresh.current;
    }
    state.next ??= state.current.then(
      () => this.readGeneration(`${tenantKey}:gen`),
      () => this.readGeneration(`${tenantKey}:gen`),
    );
    return state.next;
  }

  /** When a read settles, the queued one (if any) becomes the read in flight. */
  private async settle(key: string, state: GenerationRead): Promise<void> {
    for (;;) {
      await state.current.catch(() => undefined);
      if (!state.next) {
        this.generations.delete(key);
        return;
      }
      state.current = state.next;
      state.next = null;
    }
  }

  private async readGeneration(key: string): Promise<string> {
    if (this.pendingInvalidations.has(key)) await this.retryInvalidation(key);
    const current = await this.store.get(key);
    if (current) return current;
    const fresh = randomBytes(6).toString('hex');
    // add, not set: an instance creating the first generation must not overwrite one a
    // concurrent write just installed (that would resurrect pre-write entries).
    if (await this.store.add(key, fresh, this.ttlSeconds * 2)) return fresh;
    return (await this.store.get(key)) ?? fresh;
  }

  async getOrCompute<T>(ctx: ActorContext, suffix: string, compute: () => Promise<T>): Promise<T> {
    const body = await this.getOrComputeBody(ctx, suffix, async () => JSON.stringify(await compute()));
    return JSON.parse(body.toString('utf8')) as T;
  }

  /**
   * Like getOrCompute, but hands back the cached JSON as the UTF-8 bytes to send, so a route
   * sends a hit without parsing, re-serializing or even re-encoding it (the hot path of a
   * cached dashboard). The same Buffer is handed out for as long as the entry lives.
   */
  getOrComputeBody(ctx: ActorContext, suffix: string, compute: () => Promise<string>): Promise<Buffer> {
    if (this.ttlSeconds === 0) return compute().then((json) => Buffer.from(json));
    const tenantKey = this.tenantKey(ctx);
    // Plain promise chaining, not async/await: a hit is one step after the generation read.
    return this.generation(tenantKey).then(
      (generation) => this.bodyAt(`${tenantKey}:${generation}:${suffix}`, compute),
      () => {
        // Store unavailable: no generation, no caching; every request reads PostgreSQL.
        this.observer.miss();
        return this.joinOrCompute(`nocache:${tenantKey}:${suffix}`, compute, false);
      },
    );
  }

  /** The body stored under a key of the current generation, or computed once and stored. */
  private bodyAt(key: string, compute: () => Promise<string>): Buffer | Promise<Buffer> {
    const joined = this.inflight.get(key);
    if (joined) {
      this.observer.miss();
      return joined;
    }
    const near = this.local?.get(key);
    if (near !== undefined) {
      this.observer.hit();
      return near;
    }
    return this.store
      .get(key)
      .catch(() => null)
      .then((hit) => {
        if (hit === null) {
          this.observer.miss();
          return this.joinOrCompute(key, compute, true);
        }
        const body = Buffer.from(hit);
        this.local?.set(key, body);
        this.observer.hit();
        return body;
      });
  }

  private joinOrCompute(key: string, compute: () => Promise<string>, store: boolean): Promise<Buffer> {
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const work = (async () => {
      try {
        const value = await compute();
        const body = Buffer.from(value);
        if (store) {
          await this.store.set(key, value, this.ttlSeconds).catch(() => undefined);
          this.local?.set(key, body);
        }
        return body;
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
    const hits = new HotCounter<'dashboard'>(metrics.cacheHits, 'cache', metrics);
    const misses = new HotCounter<'dashboard'>(metrics.cacheMisses, 'cache', metrics);
    const cache = new DashboardCache(store, config.DASHBOARD_CACHE_TTL, {
      hit: () => hits.inc('dashboard'),
      miss: () => misses.inc('dashboard'),
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
