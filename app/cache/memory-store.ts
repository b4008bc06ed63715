import { LRUCache } from 'lru-cache';

import type { CacheStore } from './store.js';

/**
 * The store of a single instance without memcached (a laptop, tests): nothing is shared, so a
 * write invalidates only this instance's entries, which is all there are.
 */
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
