import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';

import { buildApp } from '../../../app/build.js';
import { loadConfig } from '../../../app/config.js';
import { bearer, startTestApp, type TestApp, type TestTenant } from '../../harness/app.js';
import { sample, scrape, waitFor } from '../../helpers/instances.js';

const ADMIN_TOKEN = 'slow-admin-token-0123456789abcdef';

describe('security headers, body limits and request deadlines', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let slowApp: FastifyInstance;

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '2048', RATE_LIMIT_DEFAULT_RPM: '0' });
    tenant = await t.createTenant();
    // The same database, with a 300 ms deadline per request.
    slowApp = await buildApp({
      config: loadConfig({ ...envOf(t), REQUEST_TIMEOUT_MS: '300', ADMIN_TOKEN }),
      logger: false,
      authCacheTtlMs: 0,
    });
    await slowApp.ready();
  });
  afterAll(async () => {
    await slowApp.close();
    await t.close();
  });

  it('sends the security headers of a JSON API on API responses', async () => {
    const res = await t.app.inject({
      url: '/financial/dashboard/summary',
      headers: bearer(tenant.tokens.viewer),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'strict-transport-security': expect.stringMatching(/max-age=\d+/),
      'referrer-policy': 'no-referrer',
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
    // Error answers carry them too.
    const denied = await t.app.inject({ url: '/financial/dashboard/summary' });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers).toMatchObject({ 'cache-control': 'no-store', 'x-frame-options': 'DENY' });
  });

  it('sends the browser-page headers on the OpenAPI UI', async () => {
    const page = await t.app.inject({ url: '/docs' });
    expect(page.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'content-security-policy': expect.stringContaining("default-src 'self'"),
    });
    expect(String(page.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    expect(page.headers['cache-control']).not.toBe('no-store');
  });

  it('keeps the OpenAPI UI working under the content security policy', async () => {
    const page = await t.app.inject({ url: '/docs' });
    expect(page.statusCode).toBe(200);
    const html = page.body;
    // Every script the page loads comes from /docs itself (script-src 'self'), none inline.
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\.?\/?[^":]*"/);
      expect((body ?? '').trim()).toBe('');
      const src = /src="([^"]+)"/.exec(attributes ?? '')?.[1] ?? '';
      const asset = await t.app.inject({ url: new URL(src, 'http://x/docs').pathname });
      expect({ src, status: asset.statusCode }).toEqual({ src, status: 200 });
    }
    expect((await t.app.inject({ url: '/docs/json' })).json()).toMatchObject({
      paths: expect.objectContaining({ '/financial/audit': expect.anything() }),
    });
  });

  it('refuses bodies over BODY_LIMIT_BYTES with 413 in the error shape', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/financial/accounts',
      headers: { ...bearer(tenant.tokens.admin), 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(4000), account_type: 'cash', currency: 'USD' }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({
      statusCode: 413,
      error: 'Payload Too Large',
      request_id: res.headers['x-request-id'],
    });
  });

  it('answers a request stuck past REQUEST_TIMEOUT_MS with 503 instead of holding the client', async () => {
    const created = await slowApp.inject({
      method: 'POST',
      url: '/financial/accounts',
      headers: bearer(tenant.tokens.admin),
      payload: { name: 'Locked', account_type: 'cash', currency: 'USD' },
    });
    expect(created.statusCode).toBe(201);
    const base = await slowApp.listen({ host: '127.0.0.1', port: 0 });
    // Another session holds the ledger locked (a long migration, say): writes wait on it.
    const blocker = await t.owner.transaction();
    try {
      await blocker.raw('lock table accounts in access exclusive mode');
      const started = performance.now();
      const res = await fetch(`${base}/financial/transactions`, {
        method: 'POST',
        headers: { ...bearer(tenant.tokens.admin), 'content-type': 'application/json' },
        body: JSON.stringify({
          account_id: created.json<{ id: string }>().id,
          amount: '1.00',
          currency: 'USD',
          transaction_type: 'income',
          occurred_at: new Date().toISOString(),
        }),
      });
      expect(performance.now() - started).toBeLessThan(2000);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(await res.json()).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'the request took too long; retry shortly',
        request_id: res.headers.get('x-request-id'),
      });
      // It counts as a 5xx of its route, so the error-rate alert sees it.
      const durations = (await scrape(slowApp))
        .split('\n')
        .filter((line) => line.startsWith('http_request_duration_seconds'));
      const count = (labels: Record<string, string>): number =>
        sample(durations.join('\n'), 'http_request_duration_seconds_count', labels);
      expect(count({ method: 'POST', route: '/financial/transactions', status_code: '503' })).toBe(1);
      expect(
        sample(durations.join('\n'), 'http_request_duration_seconds_bucket', {
          method: 'POST',
          route: '/financial/transactions',
          status_code: '503',
          le: '0.1',
        }),
      ).toBe(0);
      // Its statement does not wait on with the lock (holding a pool connection): it ends with
      // the deadline, while the blocker still holds the table.
      await noStatementWaitsOnALock();
      // The connection and the server are fine: the next request is answered normally.
      const health = await fetch(`${base}/health/live`);
      expect(health.status).toBe(200);
      // Once the lock goes, the stuck write resumes, and must not commit: its client was told 503.
      await blocker.rollback();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const listed = await slowApp.inject({
        url: `/financial/transactions?account_id=${created.json<{ id: string }>().id}`,
        headers: bearer(tenant.tokens.admin),
      });
      expect(listed.statusCode).toBe(200);
      expect(listed.json<{ data: unknown[] }>().data).toEqual([]);
    } finally {
      if (!blocker.isCompleted()) await blocker.rollback();
    }
  });

  it('does not create a tenant whose admin request was answered 503', async () => {
    const base = `http://127.0.0.1:${(slowApp.server.address() as { port: number }).port}`;
    const name = `late-${process.pid}`;
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const blocker = await t.owner.transaction();
    try {
      await blocker.raw('lock table tenants in access exclusive mode');
      const res = await fetch(`${base}/admin/tenants`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ name, type: 'organization', display_name: 'Late' }),
      });
      expect(res.status).toBe(503);
      // Its insert does not wait on with the lock either: it ends with the deadline.
      await noStatementWaitsOnALock();
      // Were it still waiting, it would resume once the lock goes; the client was told 503, so
      // it must not commit.
      await blocker.rollback();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await slowApp.inject({ url: `/admin/tenants/${name}`, headers: admin })).statusCode).toBe(404);
    } finally {
      if (!blocker.isCompleted()) await blocker.rollback();
    }
  });

  /** Within 2 s no statement of the test database waits on a lock (the blocker still holds it). */
  async function noStatementWaitsOnALock(): Promise<void> {
    await waitFor(
      'the stuck statement to be cancelled',
      async () => {
        const waiting = await t.owner.raw<{ rows: Array<{ n: number }> }>(
          `select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database
          where not l.granted and d.datname = current_database()`,
        );
        return waiting.rows[0]?.n === 0;
      },
      2000,
    );
  }

  it('keeps a request id the client sent in the deadline answer', async () => {
    const base = `http://127.0.0.1:${(slowApp.server.address() as { port: number }).port}`;
    const blocker = await t.owner.transaction();
    try {
      await blocker.raw('lock table accounts in access exclusive mode');
      const res = await fetch(`${base}/financial/accounts`, {
        headers: { ...bearer(tenant.tokens.admin), 'x-request-id': 'client-chosen-id' },
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ request_id: 'client-chosen-id' });
    } finally {
      await blocker.rollback();
    }
  });
});

function envOf(t: TestApp): Record<string, string> {
  return {
    FINDASH_ENV: 'testing',
    LOG_LEVEL: 'silent',
    DATABASE_URL: t.db.appUrl,
    DATABASE_OWNER_URL: t.db.ownerUrl,
    RATE_LIMIT_DEFAULT_RPM: '0',
  };
}
