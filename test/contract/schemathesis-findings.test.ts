import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { bearer, startTestApp, type TestApp, type TestTenant } from '../harness/app.js';

/**
 * One regression test per distinct failure Schemathesis found (test/contract/schemathesis.test.ts),
 * written before its fix. Schema-level findings (currency "AAA", cursor "0" accepted by the
 * schema and refused by the server) are in test/routes/openapi.test.ts.
 */
describe('Schemathesis findings', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let admin: { authorization: string };

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await t.createTenant();
    admin = bearer(t.config.ADMIN_TOKEN ?? '');
  });
  afterAll(async () => t.close());

  const shape = (res: { json: () => unknown; headers: Record<string, unknown> }) =>
    expect(res.json()).toMatchObject({
      statusCode: expect.any(Number),
      error: expect.any(String),
      message: expect.any(String),
      request_id: res.headers['x-request-id'],
    });

  it('ST101: a NUL in a tenant name (list cursor or path) is a 400, not a 500', async () => {
    const list = await t.app.inject({ url: '/admin/tenants?after=a%00b', headers: admin });
    expect([list.statusCode, list.json().field]).toEqual([400, 'after']);
    const one = await t.app.inject({ url: '/admin/tenants/a%00b', headers: admin });
    expect([one.statusCode, one.json().field]).toEqual([400, 'name']);
  });

  it('ST103: a path parameter longer than the router allows is a 400 in the one error shape, not a bare 414', async () => {
    for (const url of [`/admin/tenants/${'x'.repeat(300)}`, `/financial/accounts/${'a'.repeat(300)}`]) {
      const res = await t.app.inject({
        url,
        headers: url.startsWith('/admin') ? admin : bearer(tenant.tokens.admin),
      });
      expect([url.slice(0, 20), res.statusCode]).toEqual([url.slice(0, 20), 400]);
      shape(res);
    }
  });

  it('ST204: an undeclared body method (QUERY) on a known path is a 405 with Allow, not a 400', async () => {
    for (const url of ['/health', '/financial/accounts/00000000-0000-0000-0000-000000000000']) {
      const res = await t.app.inject({ method: 'QUERY' as 'GET', url, headers: bearer(tenant.tokens.admin) });
      expect([url, res.statusCode]).toEqual([url, 405]);
      expect(res.headers.allow).toMatch(/GET/);
      shape(res);
    }
    const unknown = await t.app.inject({ method: 'QUERY' as 'GET', url: '/nowhere' });
    expect(unknown.statusCode).toBe(404);
  });

  it('ST101: a list bound with a UTC offset PostgreSQL cannot hold (-17:07) is a 400, not a 500', async () => {
    for (const offset of ['-17:07', '+16:00']) {
      const to = encodeURIComponent(`2026-08-03T08:41:44.16${offset}`);
      const res = await t.app.inject({
        url: `/financial/transactions?to=${to}`,
        headers: bearer(tenant.tokens.admin),
      });
      expect([offset, res.statusCode, res.json().field]).toEqual([offset, 400, 'to']);
    }
    const ok = await t.app.inject({
      url: `/financial/transactions?to=${encodeURIComponent('2026-08-03T08:41:44.16-15:59')}`,
      headers: bearer(tenant.tokens.admin),
    });
    expect(ok.statusCode).toBe(200);
  });

  it('ST202: a dashboard day in the years 0001-0099 is that year, not refused as malformed', async () => {
    const res = await t.app.inject({
      url: '/financial/dashboard/budgets?from=0034-01-03&to=0035-02-09',
      headers: bearer(tenant.tokens.viewer),
    });
    expect(res.statusCode).toBe(200);
  });

  it('ST205: Allow on /financial/transactions/batch lists POST only, not the GET of /financial/transactions/{id}', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/financial/transactions/batch',
      headers: bearer(tenant.tokens.admin),
    });
    expect([res.statusCode, res.headers.allow]).toEqual([405, 'POST']);
    const param = await t.app.inject({
      method: 'PUT',
      url: '/financial/transactions/00000000-0000-0000-0000-000000000000',
    });
    expect(param.headers.allow).toBe('GET, HEAD');
  });

  it('ST204: GET on /financial/transactions/batch is a 405 (POST only), not the 400 of /{id}', async () => {
    const res = await t.app.inject({
      url: '/financial/transactions/batch',
      headers: bearer(tenant.tokens.admin),
    });
    expect([res.statusCode, res.headers.allow]).toEqual([405, 'POST']);
    const bad = await t.app.inject({
      url: '/financial/transactions/not-a-uuid',
      headers: bearer(tenant.tokens.admin),
    });
    expect([bad.statusCode, bad.json().field]).toEqual([400, 'id']);
  });
});
