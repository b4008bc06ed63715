import type { onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';

import { DomainError } from '../../domain/errors.js';
import { SlidingWindowLimiter, WINDOW_MS } from '../../http/sliding-window-limiter.js';
import { asArray } from '../../http/route-hooks.js';

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
