import { LRUCache } from 'lru-cache';

interface Entry<V> {
  readonly value: V;
  /** performance.now() after which a read starts a refresh in the background. */
  readonly refreshAt: number;
}

/**
 * Credential lookups (API token → principal, JWT subject → role) cached for `ttlMs`, so a
 * revocation or a suspension takes effect within that time. A busy credential never waits on
 * the database:
 * - one lookup per key at a time: callers that arrive while it is in flight share it (without
 *   this, every request of a busy client arriving after the entry expired sent its own
 *   identical query, and each waited its turn for a pool connection);
 * - refresh ahead: past half its ttl, an entry is still served while one lookup refreshes it in
 *   the background, so a credential in steady use is never missing from the cache.
 *
 * A failed lookup is not cached (its callers get the error). A failed refresh leaves the entry
 * to expire at its ttl; the next caller then looks up and meets the failure itself. With a ttl
 * of 0 nothing is cached or shared: each caller looks up.
 */
export class LookupCache<V> {
  private readonly entries: LRUCache<string, Entry<V>> | null;
  private readonly inflight = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly lookup: (key: string) => Promise<V>,
    max = 10_000,
  ) {
    this.entries = ttlMs > 0 ? new LRUCache<string, Entry<V>>({ max, ttl: ttlMs }) : null;
  }

  /**
   * The cached value, without waiting (starting a refresh when one is due), or undefined when
   * there is none: then `load` it.
   */
  get(key: string): V | undefined {
    const entry = this.entries?.get(key);
    if (entry === undefined) return undefined;
    if (entry.refreshAt <= performance.now() && !this.inflight.has(key)) {
      // The entry is served until its ttl whatever the refresh does; see the class comment.
      this.load(key).catch(() => undefined);
    }
    return entry.value;
  }

  /** The value from the key's one lookup in flight (started now if there is none), then cached. */
  load(key: string): Promise<V> {
    const { entries } = this;
    if (entries === null) return this.lookup(key);
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const work = this.lookup(key)
      .then((value) => {
        entries.set(key, { value, refreshAt: performance.now() + this.ttlMs / 2 });
        return value;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, work);
    return work;
  }
}
