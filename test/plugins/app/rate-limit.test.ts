import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { SlidingWindowLimiter } from '../../../app/plugins/app/rate-limit.js';
import { startTestApp, type TestApp, type TestTenant } from '../../harness/app.js';
import { get, sample, scrape } from '../../helpers/instances.js';

describe('sliding-window limiter', () => {
  it('allows the limit per minute, refuses the next with the wait until one is allowed', () => {
    let now = 60_000 * 1000; // start of a window
    const limiter = new SlidingWindowLimiter(() => now);
    for (let i = 0; i < 10; i += 1) expect(limiter.take('t', 10)).toBe(0);
    const wait = limiter.take('t', 10);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(120);
    // Just before the announced time it is still refused; at it, it is allowed.
    now += (wait - 1) * 1000;
    expect(limiter.take('t', 10)).toBeGreaterThan(0);
    now += 1000;
    expect(limiter.take('t', 10)).toBe(0);
  });

  it('does not allow a burst of twice the limit across a window boundary', () => {
    let now = 60_000 * 2000 + 59_000; // one second before a window ends
    const limiter = new SlidingWindowLimiter(() => now);
    let allowed = 0;
    for (let i = 0; i < 10; i += 1) if (limiter.take('t', 10) === 0) allowed += 1;
    now += 2000; // one second into the next window
    for (let i = 0; i < 10; i += 1) if (limiter.take('t', 10) === 0) allowed += 1;
    expect(allowed).toBeLessThanOrEqual(11);
  });

  it('keeps tenants apart', () => {
    const limiter = new SlidingWindowLimiter(() => 1_000_000);
    expect(limiter.take('a', 1)).toBe(0);
    expect(limiter.take('a', 1)).toBeGreaterThan(0);
    expect(limiter.take('b', 1)).toBe(0);
  });
});

describe('per-tenant rate limit', () => {
  let t: TestApp;
  let limited: TestTenant;
  let defaulted: TestTenant;
  let other: TestTenant;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_DEFAULT_RPM: '8' });
    limited = await t.createTenant({ type: 'user', limits: { requestsPerMinute: 5 } });
    defaulted = await t.createTenant({ type: 'organization' });
    other = await t.createTenant({ limits: { requestsPerMinute: 1000 } });
  });
  afterAll(async () => t.close());

  it('answers 429 with Retry-After once the tenant’s own limit is used, whichever token it uses', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push(
        (
          await get(
            t.app,
            '/financial/dashboard/summary',
            i % 2 ? limited.tokens.viewer : limited.tokens.admin,
          )
        ).statusCode,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const refused = await get(t.app, '/financial/dashboard/summary', limited.tokens.analyst);
    expect(refused.statusCode).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(refused.json()).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringContaining('5 requests per minute'),
      request_id: refused.headers['x-request-id'],
    });
    // Other tenants are not affected.
    expect((await get(t.app, '/financial/dashboard/summary', other.tokens.viewer)).statusCode).toBe(200);
    // Unauthenticated routes are not limited per tenant.
    expect((await t.app.inject({ url: '/health/live' })).statusCode).toBe(200);
    expect(sample(await scrape(t.app), 'findash_rate_limited_total', { tenant_type: 'user' })).toBe(1);
  });

  it('applies RATE_LIMIT_DEFAULT_RPM to tenants without a limit of their own', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i += 1)
      statuses.push((await get(t.app, '/financial/dashboard/summary', defaulted.tokens.viewer)).statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(8);
    expect(statuses[8]).toBe(429);
    expect(sample(await scrape(t.app), 'findash_rate_limited_total', { tenant_type: 'organization' })).toBe(
      1,
    );
  });
});
