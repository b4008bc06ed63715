import { describe, expect, it } from '@jest/globals';

import type { ActorContext } from '../../app/domain/context.js';
import { DashboardCache } from '../../app/cache/dashboard-cache.js';
import type { CacheStore } from '../../app/cache/store.js';

/**
 * A shared store (what memcached is to two API instances) whose answers can be held back:
 * a read sees the value at the moment it reaches the store, like a memcached `get`, but its
 * answer arrives only when released — the interleaving a loaded network produces.
 */
class SharedStore implements CacheStore {
  readonly name = 'shared';
  readonly data = new Map<string, string>();
  gets = 0;
  hold = false;
  private held: Array<() => void> = [];

  get(key: string): Promise<string | null> {
    this.gets += 1;
    const value = this.data.get(key) ?? null;
    if (!this.hold) return Promise.resolve(value);
    return new Promise((resolve) => this.held.push(() => resolve(value)));
  }
  readonly ttls = new Map<string, number>();
  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.data.set(key, value);
    this.ttls.set(key, ttlSeconds);
    return Promise.resolve();
  }
  add(key: string, value: string): Promise<boolean> {
    if (this.data.has(key)) return Promise.resolve(false);
    this.data.set(key, value);
    return Promise.resolve(true);
  }
  get waiting(): number {
    return this.held.length;
  }
  release(): void {
    this.hold = false;
    const held = this.held;
    this.held = [];
    for (const answer of held) answer();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const ctx: ActorContext = {
  tenantId: '00000000-0000-4000-8000-000000000001',
  tenantName: 'acme',
  tenantType: 'organization',
  actor: 'token:reader',
  role: 'viewer',
  requestId: 'r1',
};

const text = async (p: Promise<Buffer>): Promise<string> => (await p).toString('utf8');

describe('DashboardCache generations', () => {
  it('never serves a read that arrives after another instance invalidated an entry cached before', async () => {
    const store = new SharedStore();
    const reader = new DashboardCache(store, 600);
    const writer = new DashboardCache(store, 600);
    expect(await text(reader.getOrComputeBody(ctx, 'dashboard', async () => '"before"'))).toBe('"before"');

    // A request on the reader instance starts reading the generation; its answer is delayed.
    store.hold = true;
    const early = text(reader.getOrComputeBody(ctx, 'dashboard', async () => '"early recompute"'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.waiting).toBe(1); // its generation read is on its way
    // Meanwhile a write on the other instance invalidates the tenant and returns to its client…
    await writer.invalidateTenant(ctx);
    // …which then reads from the reader instance: it must see its own write.
    const late = text(reader.getOrComputeBody(ctx, 'dashboard', async () => '"after"'));
    store.release();

    expect(await late).toBe('"after"');
    // The early request may answer from before the write (it arrived before it).
    expect(await early).toBe('"before"');
  });

  it('shares generation reads across a burst of concurrent requests', async () => {
    const store = new SharedStore();
    const cache = new DashboardCache(store, 600);
    await cache.getOrComputeBody(ctx, 'dashboard', async () => '"cached"');
    store.gets = 0;
    store.hold = true;
    const burst = Array.from({ length: 50 }, () =>
      text(cache.getOrComputeBody(ctx, 'dashboard', async () => '"recomputed"')),
    );
    store.release();
    expect(new Set(await Promise.all(burst))).toEqual(new Set(['"cached"']));
    // Everyone handled in one event-loop turn shares one read.
    expect(store.gets).toBe(1);
  });

  it('hands out the same bytes for as long as an entry lives', async () => {
    const cache = new DashboardCache(new SharedStore(), 600);
    const first = await cache.getOrComputeBody(ctx, 'summary', async () => '{"n":1}');
    const second = await cache.getOrComputeBody(ctx, 'summary', async () => '{"n":2}');
    expect(second).toBe(first);
    await cache.invalidateTenant(ctx);
    expect(await text(cache.getOrComputeBody(ctx, 'summary', async () => '{"n":3}'))).toBe('{"n":3}');
  });

  it('serves an answer no longer than it said it was valid for, on any instance', async () => {
    const store = new SharedStore();
    const a = new DashboardCache(store, 600);
    const b = new DashboardCache(store, 600);
    // An answer computed a second before the tenant's midnight.
    const today = async () => ({ json: '"today"', maxAgeSeconds: 1.5 });
    expect(await text(a.getOrComputeBody(ctx, 'dashboard', today))).toBe('"today"');
    expect([...store.ttls.values()]).toContain(1);
    expect(await text(b.getOrComputeBody(ctx, 'dashboard', async () => '"b recomputed"'))).toBe('"today"');
    expect(await text(a.getOrComputeBody(ctx, 'dashboard', async () => '"a recomputed"'))).toBe('"today"');

    await new Promise((resolve) => setTimeout(resolve, 1100));
    // Past it, neither the near copies nor the stored entry are served.
    expect(await text(b.getOrComputeBody(ctx, 'dashboard', async () => '"tomorrow"'))).toBe('"tomorrow"');
    expect(await text(a.getOrComputeBody(ctx, 'dashboard', async () => '"a again"'))).toBe('"tomorrow"');
  });

  it('answers but does not store what is valid for less than a second', async () => {
    const store = new SharedStore();
    const cache = new DashboardCache(store, 600);
    const computed = { n: 0 };
    const compute = async () => ({ json: String(++computed.n), maxAgeSeconds: 0.4 });
    expect(await text(cache.getOrComputeBody(ctx, 'summary', compute))).toBe('1');
    expect(await text(cache.getOrComputeBody(ctx, 'summary', compute))).toBe('2');
  });

  it('reads an entry in the format of an older version as a miss', async () => {
    const store = new SharedStore();
    const cache = new DashboardCache(store, 600);
    await cache.getOrComputeBody(ctx, 'summary', async () => '{"n":1}');
    const [key] = [...store.ttls.keys()].filter((k) => k.endsWith(':summary'));
    store.data.set(key ?? '', '{"n":"old"}');
    const other = new DashboardCache(store, 600);
    expect(await text(other.getOrComputeBody(ctx, 'summary', async () => '{"n":2}'))).toBe('{"n":2}');
  });
});
