import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { bearer, startTestApp, type TestApp, type TestTenant } from '../harness/app.js';

describe('API core: health, docs, errors, auth', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let suspended: TestTenant;

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await t.createTenant();
    suspended = await t.createTenant({ status: 'suspended' });
  });
  afterAll(async () => t.close());

  it('reports healthy with per-dependency checks', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'healthy', checks: { database: { status: 'up' } } });
    expect((await t.app.inject({ url: '/health/live' })).json()).toEqual({ status: 'alive' });
    expect((await t.app.inject({ url: '/health/ready' })).statusCode).toBe(200);
  });

  it('serves an OpenAPI document generated from the routes', async () => {
    const res = await t.app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/admin/tenants']));
  });

  it('documents the health endpoints as needing no token, and the rest as bearer-protected', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json<{
      security?: unknown[];
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    }>();
    expect(doc.security).toEqual([{ bearer: [] }]);
    for (const path of ['/health', '/health/live', '/health/ready']) {
      expect(doc.paths[path]?.get?.security).toEqual([]);
      expect((await t.app.inject({ url: path })).statusCode).not.toBe(401);
    }
    expect(doc.paths['/financial/dashboard/summary']?.get?.security).toBeUndefined();
  });

  it('answers a known path under another method 405 with Allow, in the one error shape', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/financial/dashboard/summary?x=1' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(res.json()).toEqual({
      statusCode: 405,
      error: 'Method Not Allowed',
      message: 'method DELETE not allowed on /financial/dashboard/summary; allowed: GET, HEAD',
      request_id: res.headers['x-request-id'],
    });
    const param = await t.app.inject({ method: 'PUT', url: '/health/live' });
    expect(param.statusCode).toBe(405);
    expect((await t.app.inject({ method: 'DELETE', url: '/nope' })).statusCode).toBe(404);
  });

  it('answers unknown routes with the one error shape', async () => {
    const res = await t.app.inject({ url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'route GET /nope not found',
      request_id: res.headers['x-request-id'],
    });
  });

  it('accepts a tenant API token on a tenant route and refuses a revoked or unknown one', async () => {
    const ok = await t.app.inject({
      url: '/financial/dashboard/summary',
      headers: bearer(tenant.tokens.viewer),
    });
    expect(ok.statusCode).toBe(200);
    const unknown = await t.app.inject({
      url: '/financial/dashboard/summary',
      headers: bearer(`fdt_${'x'.repeat(43)}`),
    });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().message).toBe('invalid or revoked token');
    const missing = await t.app.inject({ url: '/financial/dashboard/summary' });
    expect(missing.statusCode).toBe(401);
    const blocked = await t.app.inject({
      url: '/financial/dashboard/summary',
      headers: bearer(suspended.tokens.admin),
    });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().message).toMatch(/suspended/);
  });

  it('refuses admin routes without the platform token, and serves them with it', async () => {
    expect((await t.app.inject({ url: '/admin/tenants' })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ url: '/admin/tenants', headers: bearer(tenant.tokens.admin) })).statusCode,
    ).toBe(401);
    const res = await t.app.inject({ url: '/admin/tenants', headers: bearer(t.config.ADMIN_TOKEN ?? '') });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ items: Array<{ name: string }> }>().items.map((x) => x.name)).toEqual(
      expect.arrayContaining([tenant.name, suspended.name]),
    );
  });

  it('creates, reads, updates and deletes tenants through the admin API with clear 400s', async () => {
    const admin = bearer(t.config.ADMIN_TOKEN ?? '');
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/tenants',
      headers: admin,
      payload: {
        name: 'acme',
        type: 'organization',
        display_name: 'Acme',
        base_currency: 'EUR',
        timezone: 'Europe/Paris',
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'acme', base_currency: 'EUR', status: 'active' });

    const bad = await t.app.inject({
      method: 'POST',
      url: '/admin/tenants',
      headers: admin,
      payload: { name: 'bad', type: 'organization', display_name: 'B', base_currency: 'XYZ' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'base_currency' });

    const unknownField = await t.app.inject({
      method: 'POST',
      url: '/admin/tenants',
      headers: admin,
      payload: { name: 'bad2', type: 'organization', display_name: 'B', color: 'red' },
    });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().field).toBe('color');

    const dup = await t.app.inject({
      method: 'POST',
      url: '/admin/tenants',
      headers: admin,
      payload: { name: 'acme', type: 'user', display_name: 'Again' },
    });
    expect(dup.statusCode).toBe(409);

    const patched = await t.app.inject({
      method: 'PATCH',
      url: '/admin/tenants/acme',
      headers: admin,
      payload: { status: 'suspended', limits: { requestsPerMinute: 10 } },
    });
    expect(patched.json()).toMatchObject({ status: 'suspended', limits: { requestsPerMinute: 10 } });
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/admin/tenants/acme?purge=true', headers: admin }))
        .statusCode,
    ).toBe(204);
    expect((await t.app.inject({ url: '/admin/tenants/acme', headers: admin })).statusCode).toBe(404);
  });
});
