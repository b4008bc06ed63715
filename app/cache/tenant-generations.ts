import { randomBytes } from 'node:crypto';

import type { ActorContext } from '../domain/context.js';
import type { CacheStore } from './store.js';

export type TenantRef = Pick<ActorContext, 'tenantType' | 'tenantId'>;

/** Callers waiting for a tenant's generation read that has not been sent yet. */
interface PendingRead {
  readonly promise: Promise<string>;
  readonly resolve: (generation: string) => void;
  readonly reject: (error: unknown) => void;
}

function pendingRead(): PendingRead {
  let resolve!: (generation: string) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * The generation stamps of the tenants' dashboard entries, kept in the shared store under
 * `dashboard:{tenant_type}:{tenant_id}:gen`. An entry's key holds the generation it was computed
 * in, so replacing a tenant's stamp orphans all its entries at once, on every instance. A
 * replacement that fails (store unreachable) is remembered and retried before this instance
 * next reads that tenant, so entries that survive an outage are never served after their write.
 */
export class TenantGenerations {
  /** Generation reads to send at the end of this event-loop turn, per tenant key. */
  private unsent = new Map<string, PendingRead>();
  private sendScheduled = false;
  private readonly pendingInvalidations = new Set<string>();
  /** `dashboard:{tenant_type}:{tenant_id}` per tenant id, built once. */
  private readonly tenantKeys = new Map<string, { type: string; key: string }>();

  constructor(
    private readonly store: CacheStore,
    /** How long a stamp lives in the store (twice the entries' TTL: it outlives them). */
    private readonly ttlSeconds: number,
  ) {}

  /** `dashboard:{tenant_type}:{tenant_id}`, built once per tenant. */
  tenantKey(ctx: TenantRef): string {
    const known = this.tenantKeys.get(ctx.tenantId);
    if (known?.type === ctx.tenantType) return known.key;
    const key = `dashboard:${ctx.tenantType}:${ctx.tenantId}`;
    if (this.tenantKeys.size >= 100_000) this.tenantKeys.clear();
    this.tenantKeys.set(ctx.tenantId, { type: ctx.tenantType, key });
    return key;
  }

  /**
   * The tenant's current generation, read from the store after the caller arrived: a read sent
   * earlier may have been answered before another instance's write replaced the generation.
   * Requests handled in one event-loop turn share one read, sent at the end of that turn (after
   * every one of them was received); reads of consecutive turns overlap in flight, so nobody
   * waits for an earlier read to come back first. A burst costs one store round trip per turn,
   * not one per request.
   */
  current(tenantKey: string): Promise<string> {
    let pending = this.unsent.get(tenantKey);
    if (!pending) {
      pending = pendingRead();
      this.unsent.set(tenantKey, pending);
      if (!this.sendScheduled) {
        this.sendScheduled = true;
        setImmediate(() => this.sendReads());
      }
    }
    return pending.promise;
  }

  private sendReads(): void {
    const batch = this.unsent;
    this.unsent = new Map();
    this.sendScheduled = false;
    for (const [tenantKey, pending] of batch) {
      this.readGeneration(`${tenantKey}:gen`).then(pending.resolve, pending.reject);
    }
  }

  private async readGeneration(key: string): Promise<string> {
    if (this.pendingInvalidations.has(key)) await this.retryInvalidation(key);
    const current = await this.store.get(key);
    if (current) return current;
    const fresh = randomBytes(6).toString('hex');
    // add, not set: an instance creating the first generation must not overwrite one a
    // concurrent write just installed (that would resurrect pre-write entries).
    if (await this.store.add(key, fresh, this.ttlSeconds)) return fresh;
    return (await this.store.get(key)) ?? fresh;
  }

  /** Replaces the tenant's stamp; on failure, remembers to before its next read here. */
  async replace(ctx: TenantRef): Promise<void> {
    const key = `${this.tenantKey(ctx)}:gen`;
    try {
      await this.store.set(key, randomBytes(6).toString('hex'), this.ttlSeconds);
      this.pendingInvalidations.delete(key);
    } catch {
      this.pendingInvalidations.add(key);
    }
  }

  private async retryInvalidation(key: string): Promise<void> {
    await this.store.set(key, randomBytes(6).toString('hex'), this.ttlSeconds);
    this.pendingInvalidations.delete(key);
  }
}
