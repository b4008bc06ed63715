/**
 * Where cached dashboards live, as the dashboard cache (dashboard-cache.ts) needs it: memcached
 * (memcached-store.ts) when MEMCACHED_SERVERS is set, else the in-process LRU (memory-store.ts).
 * A store may throw (timeout, outage): the cache treats that as a miss and never fails a
 * request for it.
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

export interface StoreHealth {
  readonly status: 'up' | 'degraded' | 'down';
  readonly detail?: string;
}
