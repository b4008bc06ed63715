import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gunzipSync } from 'node:zlib';

import { acceptsGzip } from '../../../app/cache/gzip-once.js';
import { bearer, startTestApp, type TestApp, type TestTenant } from '../../harness/app.js';

describe('compressed dashboards', () => {
  let t: TestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await startTestApp({ DASHBOARD_CACHE_TTL: '600' });
    tenant = await t.createTenant();
    const admin = bearer(tenant.tokens.admin);
    for (let i = 0; i < 12; i += 1) {
      const account = await t.app.inject({
        method: 'POST',
        url: '/financial/accounts',
        headers: admin,
        payload: {
          name: `Account number ${i} with a long descriptive name`,
          account_type: 'checking',
          currency: 'USD',
        },
      });
      expect(account.statusCode).toBe(201);
    }
  });
  afterAll(async () => t.close());

  it('sends the same dashboard gzip-compressed to clients that accept gzip, and plain to others', async () => {
    const headers = bearer(tenant.tokens.viewer);
    const plain = await t.app.inject({ url: '/financial/dashboard', headers });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);

    const gz = await t.app.inject({
      url: '/financial/dashboard',
      headers: { ...headers, 'accept-encoding': 'br, gzip' },
    });
    expect(gz.statusCode).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString('utf8'))).toEqual(plain.json());

    const refused = await t.app.inject({
      url: '/financial/dashboard',
      headers: { ...headers, 'accept-encoding': 'gzip;q=0' },
    });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.json()).toEqual(plain.json());
  });

  it('reads Accept-Encoding as HTTP defines it', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('deflate, gzip;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('GZIP')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('br, deflate')).toBe(false);
    expect(acceptsGzip('gzip, deflate, br, zstd')).toBe(true);
    expect(acceptsGzip('x-gzip-ish, br')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});
