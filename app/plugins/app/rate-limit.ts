import type { onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';

import { DomainError } from '../../domain/errors.js';
import { asArray } from '../route-hooks.js';

const WINDOW_MS = 60_000;

interface Window {
  start: number;
  current: number;
  previous: number;
}

/**
 * Sliding-window counter per key (the usual approximation of a sliding log): the count of the
 * previous minute, weighted by how much of it still overlaps the last 60 s, plus this minute's.
 * O(1) memory per tenant, and no burst of 2× the limit at a window boundary.
 */
export class SlidingWindowLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts a request; returns 0 if allowed, else the seconds to wait before retrying. */
  take(key: string, limitPerMinute: number): number {
    const now = this.now();
    const windowStart = now - (now % WINDOW_MS);
    let w = this.windows.get(key);
    if (!w) {
      w = { start: windowStart, current: 0, previous: 0 };
      this.windows.set(key, w);
    } else if (w.start !== windowStart) {
      w.previous = windowStart - w.start === WINDOW_MS ? w.current : 0;
      w.current = 0;
      w.start = windowStart;
    }
    const overlap = 1 - (now - windowStart) / WINDOW_MS;
    const estimate = w.previous * overlap + w.current;
    if (estimate + 1 <= limitPerMinute) {
      w.current += 1;
      return 0;
    }
    return retryAfterSeconds(w, now, limitPerMinute);
  }

  /** Forgets tenants idle for two windows, so the map holds only active tenants. */
  prune(): void {
    const cutoff = this.now() - 2 * WINDOW_MS;
    for (const [key, w] of this.windows) if (w.start < cutoff) this.windows.delete(key);
  }
}

function retryAfterSeconds(w: Window, now: number, limit: number): number {
  const elapsed = now - w.start;
  // Within this window the estimate falls as the previous window's weight decays.
  if (w.previous > 0 && w.current + 1 <= limit) {
    const weightNeeded = (limit - 1 - w.current) / w.previous;
    const at = (1 - weightNeeded) * WINDOW_MS;
    return Math.max(1, Math.ceil((at - elapsed) / 1000));
  }
  // Otherwise wait for the next window, where this window's count decays in turn.
  const next = WINDOW_MS - elapsed;
  const weightNeeded = Math.max(0, (limit - 1) / Math.max(w.current, 1));
  return Math.max(1, Math.ceil((next + (1 - Math.min(1, weightNeeded)) * WINDOW_MS) / 1000));
}

const ACTIVE_USER_WINDOW_MS = 5 * 60_000;
const MAX_TRACKED_USERS = 100_000;

/**
 * Per-tenant rate limit from the tenant's limits (requestsPerMinute, else
 * RATE_LIMIT_DEFAULT_RPM; 0 or less = unlimited). The count is per API replica: with N replicas
 * behind the load balancer a tenant gets up to N × its limit in total (sharing the counter in
 * memcached would add a round trip to every request). Over the limit: 429 in the error shape
 * with Retry-After. Also tracks the authenticated subjects for findash_active_users.
 */
export default fp(
  async (fastify) => {
    const { metrics, config } = fastify;
    const limiter = new SlidingWindowLimiter();
    const lastSeen = new Map<string, number>();
    const pruner = setInterval(() => limiter.prune(), WINDOW_MS);
    pruner.unref();
    // "Last seen" needs no better than a second (the window is five minutes): a clock read
    // once a second instead of per request.
    const clock = { now: Date.now() };
    const ticker = setInterval(() => (clock.now = Date.now()), 1000);
    ticker.unref();

    // Callback-style, like auth: nothing here waits, so no promise per request. Route-level,
    // after auth's hook, on the routes that authenticate (only they have a principal).
    const limit: onRequestHookHandler = (request, reply, done) => {
      const principal = request.principal;
      if (!principal) {
        done();
        return;
      }
      // Usually already seen this second: one lookup, no write.
      if (lastSeen.get(principal.subject) !== clock.now) {
        if (lastSeen.size < MAX_TRACKED_USERS || lastSeen.has(principal.subject)) {
          lastSeen.set(principal.subject, clock.now);
        }
      }
      const perMinute = principal.rateLimitRpm ?? config.RATE_LIMIT_DEFAULT_RPM;
      const retryAfter = perMinute > 0 ? limiter.take(principal.tenantId, perMinute) : 0;
      if (retryAfter === 0) {
        done();
        return;
      }
      metrics.rateLimited.inc({ tenant_type: principal.tenantType });
      void reply.header('ratelimit-limit', String(perMinute));
      done(
        new DomainError(
          429,
          `tenant ${principal.tenantName} exceeded its limit of ${perMinute} requests per minute; retry in ${retryAfter} s`,
          { retryAfter },
        ),
      );
    };
    fastify.addHook('onRoute', (route) => {
      if (route.config?.permission) route.onRequest = [...asArray(route.onRequest), limit];
    });

    metrics.onScrape(async () => {
      const cutoff = Date.now() - ACTIVE_USER_WINDOW_MS;
      for (const [subject, at] of lastSeen) if (at < cutoff) lastSeen.delete(subject);
      metrics.activeUsers.set(lastSeen.size);
    });
    fastify.addHook('onClose', async () => {
      clearInterval(pruner);
      clearInterval(ticker);
    });
  },
  { name: 'rate-limit', dependencies: ['auth', 'metrics', 'config'] },
);
