import { createHash } from 'node:crypto';

import memjs from 'memjs';

import type { CacheStore, StoreHealth } from './store.js';
import { BreakerState, CircuitBreaker, CircuitOpenError } from './circuit-breaker.js';

export type CacheOperation = 'get' | 'set' | 'delete';

export interface MemcachedStoreOptions {
  /** MEMCACHED_SERVERS: "host:port,host:port". */
  readonly servers: string;
  /** Per-operation deadline; a slow memcached must not make the dashboard slow. */
  readonly timeoutMs: number;
  /** How long the breaker stays open before one probe is let through. */
  readonly cooldownMs: number;
  readonly onError?: (operation: CacheOperation, error: Error) => void;
  readonly onBreakerState?: (state: BreakerState) => void;
}

export class CacheTimeoutError extends Error {
  constructor(operation: CacheOperation, ms: number) {
    super(`memcached ${operation} timed out after ${ms} ms`);
    this.name = 'CacheTimeoutError';
  }
}

/** Memcached keys: at most 250 bytes, no spaces or control characters. */
function safeKey(key: string): string {
  // eslint-disable-next-line no-control-regex
  if (key.length <= 200 && !/[\s\x00-\x1f\x7f]/.test(key)) return key;
  return `h:${createHash('sha256').update(key).digest('base64url')}`;
}

/**
 * The dashboard cache in Memcached (memjs, binary protocol). Every operation has a short
 * deadline and goes through a circuit breaker, so an outage costs a few fast failures and then
 * none: callers see an error they treat as a miss and serve from PostgreSQL.
 */
export class MemcachedStore implements CacheStore {
  readonly name = 'memcached';
  readonly breaker: CircuitBreaker;
  private readonly client: memjs.Client;

  constructor(private readonly options: MemcachedStoreOptions) {
    this.client = memjs.Client.create(options.servers, {
      // memjs's own deadlines only clean up sockets; ours (below) bound the caller's wait.
      timeout: (options.timeoutMs * 2) / 1000,
      conntimeout: Math.max(options.timeoutMs * 2, 200) / 1000,
      keepAlive: true,
      retries: 1,
      failover: false,
      logger: { log: () => undefined },
    });
    this.breaker = new CircuitBreaker({
      name: 'memcached',
      cooldownMs: options.cooldownMs,
      onStateChange: (state) => options.onBreakerState?.(state),
    });
  }

  async get(key: string): Promise<string | null> {
    return this.call('get', async () => {
      const { value } = await this.client.get(safeKey(key));
      return value ? value.toString('utf8') : null;
    });
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.call('set', () => this.client.set(safeKey(key), value, { expires: ttlSeconds }));
  }

  async add(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return this.call('set', () => this.client.add(safeKey(key), value, { expires: ttlSeconds }));
  }

  async delete(key: string): Promise<void> {
    await this.call('delete', () => this.client.delete(safeKey(key)));
  }

  async health(): Promise<StoreHealth> {
    if (this.breaker.state === BreakerState.open) {
      return {
        status: 'degraded',
        detail: 'circuit open after repeated memcached failures; dashboards are served from PostgreSQL',
      };
    }
    try {
      await this.get('findash:health');
      return { status: 'up' };
    } catch (error) {
      return {
        status: 'degraded',
        detail: `memcached unreachable (${(error as Error).message}); dashboards are served from PostgreSQL`,
      };
    }
  }

  close(): Promise<void> {
    this.client.close();
    return Promise.resolve();
  }

  private async call<T>(operation: CacheOperation, work: () => Promise<T>): Promise<T> {
    try {
      return await this.breaker.run(() => deadline(work(), this.options.timeoutMs, operation));
    } catch (error) {
      if (!(error instanceof CircuitOpenError)) {
        this.options.onError?.(operation, error instanceof Error ? error : new Error(String(error)));
      }
      throw error;
    }
  }
}

function deadline<T>(work: Promise<T>, ms: number, operation: CacheOperation): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CacheTimeoutError(operation, ms)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
