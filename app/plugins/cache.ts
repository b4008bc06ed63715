import { randomBytes } from 'node:crypto';

import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';

import type { ActorContext } from '../domain/context.js';

/**
 * Where cached dashboards live. The in-process LRU is the default; the memcached store
 * (app/cache/memcached-store.ts) replaces it when MEMCACHED_SERVERS is set.
 */
export interface CacheStore {
  readonly name: string;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
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
  close(): Promise<void> {
    this.lru.clear();
    return Promise.resolve();
  }
}

/**
 * Dashboard cache under `dashboard:{tenant_type}:{tenant_id}` (DESIGN §2). A tenant's entries
 * share a generation stamp kept in the store itself; a write replaces the stamp, which orphans
 * every entry of that tenant at once on every instance sharing the store. Concurrent misses
 * for one key compute once per instance.
 */
export class DashboardCache {
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: CacheStore,
    readonly ttlSeconds: number,
  ) {}

  get storeName(): string {
    return this.store.name;
  }

  private tenantKey(ctx: Pick<ActorContext, 'tenantType' | 'tenantId'>): string {
    return `dashboard:${ctx.tenantType}:${ctx.tenantId}`;
  }

  private async generation(ctx: ActorContext): Promise<string> {
    const key = `${this.tenantKey(ctx)}:gen`;
    const current = await this.store.get(key);
    if (current) return current;
    const fresh = randomBytes(6).toString('hex');
    await this.store.set(key, fresh, this.ttlSeconds * 2);
    return fresh;
  }

  async getOrCompute<T>(ctx: ActorContext, suffix: string, compute: () => Promise<T>): Promise<T> {
    if (this.ttlSeconds === 0) return compute();
    const generation = await this.generation(ctx);
    const key = `${this.tenantKey(ctx)}:${generation}:${suffix}`;
    const hit = await this.store.get(key);
    if (hit !== null) return JSON.parse(hit) as T;
    const pending = this.inflight.get(key);
    if (pending) return pending as Promise<T>;
    const work = (async () => {
      try {
        const value = await compute();
        await this.store.set(key, JSON.stringify(value), this.ttlSeconds);
        return value;
      } finally {
        this.inflight.delete(key);
      }
    })();
    this.inflight.set(key, work);
    return work;
  }

  async invalidateTenant(ctx: Pick<ActorContext, 'tenantType' | 'tenantId'>): Promise<void> {
    if (this.ttlSeconds === 0) return;
    await this.store.set(`${this.tenantKey(ctx)}:gen`, randomBytes(6).toString('hex'), this.ttlSeconds * 2);
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

export default fp<{ store?: CacheStore }>(
  async (fastify, opts) => {
    const cache = new DashboardCache(opts.store ?? new LruStore(), fastify.config.DASHBOARD_CACHE_TTL);
    fastify.decorate('dashboardCache', cache);
    fastify.addHook('onClose', async () => cache.close());
  },
  { name: 'cache', dependencies: ['config'] },
);
