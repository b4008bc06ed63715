import type { ActorContext } from '../domain/context.js';
import { rangeKey, type TimeRange } from '../domain/time-range.js';
import type { Dated } from '../domain/dashboard/sql-parts.js';
import { acceptsGzip, gzipOnce } from './gzip-once.js';
import { NearCopy } from './near-copy.js';
import type { CacheStore, StoreHealth } from './store.js';
import { TenantGenerations, type TenantRef } from './tenant-generations.js';

/** Counts what the cache did, for findash_cache_hits_total / findash_cache_misses_total. */
export interface CacheObserver {
  hit(): void;
  miss(): void;
}

/** A computed answer, and how long it may be served (beyond DASHBOARD_CACHE_TTL's cap). */
export interface Computed {
  readonly json: string;
  readonly maxAgeSeconds?: number | undefined;
}

/** The dashboard answers the API serves (GET /financial/dashboard and its parts). */
export type DashboardView = 'dashboard' | 'summary' | 'accounts' | 'transactions' | 'budgets';

const NO_RANGE: TimeRange = {};

/**
 * Which answer an entry holds, after the tenant's `dashboard:{tenant_type}:{tenant_id}:{generation}:`
 * (see DashboardCache): the view, the from/to it was asked for, and — for answers with recent
 * transactions — whether their descriptions are in it. Descriptions are free text only roles
 * with transactions:read may see, so one role's cached answer is never served to another.
 */
export function answerKey(view: DashboardView, range: TimeRange = NO_RANGE, descriptions?: boolean): string {
  const key = `${view}:${rangeKey(range)}`;
  if (descriptions === undefined) return key;
  return descriptions ? `${key}:full` : `${key}:redacted`;
}

/**
 * A cached entry in the store: its expiry (epoch ms) on the first line, then the JSON (which
 * JSON.stringify never breaks across lines). Instances that read it keep their near copy no
 * longer than that. A value without it (written by an older version) reads as a miss.
 */
function encodeEntry(expiresAt: number, json: string): string {
  return `${expiresAt}\n${json}`;
}

function decodeEntry(value: string): { expiresAt: number; json: string } | null {
  const cut = value.indexOf('\n');
  const expiresAt = cut > 0 ? Number(value.slice(0, cut)) : NaN;
  return Number.isFinite(expiresAt) ? { expiresAt, json: value.slice(cut + 1) } : null;
}

/** A dashboard answer as it goes on the wire. */
export interface DashboardResponse {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

const JSON_BODY = { 'content-type': 'application/json; charset=utf-8', vary: 'accept-encoding' };
const GZIP_JSON = { ...JSON_BODY, 'content-encoding': 'gzip' };

/**
 * Cached bodies are compressed once and reused, for clients that accept gzip; uncached ones
 * (DASHBOARD_CACHE_TTL=0) and small ones go out as they are, where compressing costs more than
 * it saves.
 */
function dashboardResponse(
  body: Buffer,
  cached: boolean,
  acceptEncoding: string | undefined,
): DashboardResponse {
  if (cached && body.byteLength > 1024 && acceptsGzip(acceptEncoding)) {
    return { body: gzipOnce(body), headers: GZIP_JSON };
  }
  return { body, headers: JSON_BODY };
}

function computed(value: string | Computed): Computed {
  return typeof value === 'string' ? { json: value } : value;
}

/**
 * The dashboard cache, the one home of the dashboard read path's caching: entries under
 * `dashboard:{tenant_type}:{tenant_id}` (every key names its tenant, so no answer can reach
 * another tenant), then the generation and the answer's key (answerKey), stored with their
 * lifetime (encodeEntry), kept near (near-copy.ts), sent gzipped once (dashboardResponse), and
 * invalidated by writes. A tenant's entries share a generation stamp kept in the store itself
 * (tenant-generations.ts); a write replaces the stamp, which orphans every entry of that tenant
 * at once on every instance sharing the store (the orphans expire with their TTL). Concurrent
 * misses for one key compute once per instance.
 *
 * Failures of the store never fail a request: a failed read is a miss (served from PostgreSQL),
 * a failed write is skipped. A failed invalidation is remembered and retried before this
 * instance next reads that tenant, so entries that survive an outage (memcached unreachable
 * but not restarted) are never served to this instance's clients after their write.
 */
export class DashboardCache {
  private readonly inflight = new Map<string, Promise<Buffer>>();
  /**
   * A near copy of the bodies this instance read or wrote (app/cache/near-copy.ts): an entry is
   * immutable for its generation, and the generation is still read from the shared store on
   * every request, so a write on any instance still invalidates here at once. It saves moving
   * and decoding the (tens of KB) dashboard from memcached, and encoding it again, on every hit.
   */
  private readonly near: NearCopy | null;
  private readonly generations: TenantGenerations;

  constructor(
    private readonly store: CacheStore,
    readonly ttlSeconds: number,
    private readonly observer: CacheObserver = { hit: () => undefined, miss: () => undefined },
  ) {
    this.near = ttlSeconds === 0 ? null : new NearCopy(ttlSeconds * 1000);
    this.generations = new TenantGenerations(store, ttlSeconds * 2);
  }

  get storeName(): string {
    return this.store.name;
  }

  /**
   * What the dashboard routes send: the answer's JSON bytes and their headers. A hit sends the
   * stored bytes as they are (no parse, no re-serialization, no re-encoding) and, to clients
   * that accept gzip, their one compressed copy; a miss runs `read` (once per instance per key),
   * stores the JSON no longer than the answer's own lifetime (the tenant's day) and sends it.
   * The answers have exactly the response schemas' shape, so JSON.stringify produces what the
   * schema serializer would.
   */
  response(
    ctx: ActorContext,
    suffix: string,
    acceptEncoding: string | undefined,
    read: () => Promise<Dated<unknown>>,
  ): Promise<DashboardResponse> {
    return this.getOrComputeBody(ctx, suffix, () =>
      read().then((answer) => ({
        json: JSON.stringify(answer.value),
        maxAgeSeconds: answer.secondsLeftToday,
      })),
    ).then((body) => dashboardResponse(body, this.ttlSeconds > 0, acceptEncoding));
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
  getOrComputeBody(
    ctx: ActorContext,
    suffix: string,
    compute: () => Promise<string | Computed>,
  ): Promise<Buffer> {
    if (this.ttlSeconds === 0) return compute().then((value) => Buffer.from(computed(value).json));
    const tenantKey = this.generations.tenantKey(ctx);
    // Plain promise chaining, not async/await: a hit is one step after the generation read.
    return this.generations.current(tenantKey).then(
      (generation) => {
        const near = this.near?.get(tenantKey, generation, suffix);
        if (near) {
          this.observer.hit();
          return near;
        }
        return this.fromStore(tenantKey, generation, suffix, compute);
      },
      () => {
        // Store unavailable: no generation, no caching; every request reads PostgreSQL.
        this.observer.miss();
        return this.joinOrCompute(`nocache:${tenantKey}:${suffix}`, compute, null);
      },
    );
  }

  /** The body the store holds for this generation, or computed once (per instance) and stored. */
  private fromStore(
    tenantKey: string,
    generation: string,
    suffix: string,
    compute: () => Promise<string | Computed>,
  ): Promise<Buffer> {
    const key = `${tenantKey}:${generation}:${suffix}`;
    const joined = this.inflight.get(key);
    if (joined) {
      this.observer.miss();
      return joined;
    }
    const keep = (body: Buffer, expiresAt: number): void =>
      this.near?.set(tenantKey, generation, suffix, body, expiresAt);
    return this.store
      .get(key)
      .catch(() => null)
      .then((hit) => {
        const entry = hit === null ? null : decodeEntry(hit);
        if (entry === null || entry.expiresAt <= Date.now()) {
          this.observer.miss();
          return this.joinOrCompute(key, compute, keep);
        }
        const body = Buffer.from(entry.json);
        keep(body, entry.expiresAt);
        this.observer.hit();
        return body;
      });
  }

  /** Computes once per key on this instance; with `keep`, stores the result (shared and near). */
  private joinOrCompute(
    key: string,
    compute: () => Promise<string | Computed>,
    keep: ((body: Buffer, expiresAt: number) => void) | null,
  ): Promise<Buffer> {
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const work = (async () => {
      try {
        const { json, maxAgeSeconds } = computed(await compute());
        const body = Buffer.from(json);
        if (keep) {
          // memcached counts whole seconds; an answer valid for less than one is not stored.
          const ttl = Math.min(this.ttlSeconds, Math.floor(maxAgeSeconds ?? Infinity));
          if (ttl >= 1) {
            const expiresAt = Date.now() + ttl * 1000;
            await this.store.set(key, encodeEntry(expiresAt, json), ttl).catch(() => undefined);
            keep(body, expiresAt);
          }
        }
        return body;
      } finally {
        this.inflight.delete(key);
      }
    })();
    this.inflight.set(key, work);
    return work;
  }

  /** After a write of the tenant: every entry of it, on every instance sharing the store, is orphaned. */
  async invalidateTenant(ctx: TenantRef): Promise<void> {
    if (this.ttlSeconds === 0) return;
    await this.generations.replace(ctx);
  }

  health(): Promise<StoreHealth> {
    return this.store.health ? this.store.health() : Promise.resolve({ status: 'up' });
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
