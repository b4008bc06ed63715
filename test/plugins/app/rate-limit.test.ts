import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startTestApp, type TestApp, type TestTenant } from '../../harness/app.js';
import { get, sample, scrape } from '../../helpers/instances.js';

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
