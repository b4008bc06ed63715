import { LRUCache } from 'lru-cache';

interface NearBody {
  readonly body: Buffer;
  readonly expiresAt: number;
}

interface NearTenant {
  readonly generation: string;
  readonly bodies: Map<string, NearBody>;
  bytes: number;
}

/**
 * This instance's copy of the dashboard bodies it read from or wrote to the shared store, per
 * tenant and only for the tenant's current generation, as the bytes that go on the wire. A hit
 * is two map lookups by strings the caller already holds (no per-request key to build and hash),
 * and a new generation drops the tenant's older bodies at once. Bodies expire with the store's
 * TTL; memory is bounded by bytes over all tenants (least recently used tenants go first) and by
 * bodies per tenant (one tenant asking for many date ranges cannot crowd out the others).
 */
export class NearCopy {
  private readonly tenants: LRUCache<string, NearTenant>;

  constructor(
    private readonly ttlMs: number,
    maxBytes = 64 * 1024 * 1024,
    private readonly maxBodiesPerTenant = 64,
  ) {
    this.tenants = new LRUCache<string, NearTenant>({
      maxSize: maxBytes,
      sizeCalculation: (tenant, key) => tenant.bytes + key.length + 64,
    });
  }

  get(tenantKey: string, generation: string, suffix: string): Buffer | undefined {
    const tenant = this.tenants.get(tenantKey);
    if (tenant?.generation !== generation) return undefined;
    const entry = tenant.bodies.get(suffix);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.body;
    tenant.bodies.delete(suffix);
    tenant.bytes -= entry.body.byteLength;
    return undefined;
  }

  set(tenantKey: string, generation: string, suffix: string, body: Buffer, expiresAt: number): void {
    let tenant = this.tenants.get(tenantKey);
    if (tenant?.generation !== generation) {
      tenant = { generation, bodies: new Map(), bytes: 0 };
    }
    const previous = tenant.bodies.get(suffix);
    if (previous) tenant.bytes -= previous.body.byteLength;
    else if (tenant.bodies.size >= this.maxBodiesPerTenant) {
      const [oldest, entry] = tenant.bodies.entries().next().value as [string, NearBody];
      tenant.bodies.delete(oldest);
      tenant.bytes -= entry.body.byteLength;
    }
    tenant.bodies.set(suffix, { body, expiresAt: Math.min(expiresAt, Date.now() + this.ttlMs) });
    tenant.bytes += body.byteLength;
    // Set again so the LRU accounts for the tenant's new size.
    this.tenants.set(tenantKey, tenant);
  }
}
