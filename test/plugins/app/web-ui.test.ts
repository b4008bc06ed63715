import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { bearer, startTestApp, type TestApp, type TestTenant } from '../../harness/app.js';

/**
 * The web UI's server side without a browser: what /app/ serves and with which headers, the
 * built-files path of the compiled image (and its 503 when nothing is built), the page's config
 * and CSP, and GET /financial/me for each role.
 */
const FILES = [
  {
    name: 'index.html',
    body: Buffer.from('<!doctype html><script type="module" src="/app/assets/main-ABC123.js"></script>'),
  },
  { name: 'assets/main-ABC123.js', body: Buffer.from('console.log("findash");'.repeat(50)) },
];

let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await startTestApp({}, { webUi: { files: FILES } });
  tenant = await t.createTenant();
});

afterAll(async () => {
  await t.close();
});

describe('web UI plugin', () => {
  it('serves index.html revalidated by ETag and hashed assets immutable, compressed once', async () => {
    const index = await t.app.inject({ url: '/app/', headers: { 'accept-encoding': 'gzip' } });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-encoding']).toBe('gzip');
    expect(index.headers.vary).toBe('accept-encoding');
    expect(gunzipSync(index.rawPayload).toString()).toContain('main-ABC123.js');
    const etag = String(index.headers.etag);
    const again = await t.app.inject({ url: '/app/', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');

    const asset = await t.app.inject({
      url: '/app/assets/main-ABC123.js',
      headers: { 'accept-encoding': 'br' },
    });
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-encoding']).toBe('br');
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const plain = await t.app.inject({ url: '/app/assets/main-ABC123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(FILES[1]?.body.toString());
  });

  it("sends the page's CSP instead of the API's, and the API keeps its own", async () => {
    const index = await t.app.inject({ url: '/app/' });
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    const api = await t.app.inject({ url: '/financial/me', headers: bearer(tenant.tokens.viewer) });
    expect(api.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(api.headers['cache-control']).toBe('no-store');
  });

  it('redirects / and /app to /app/, answers unknown assets 404, and has no OIDC without JWT_*', async () => {
    expect((await t.app.inject({ url: '/' })).headers.location).toBe('/app/');
    expect((await t.app.inject({ url: '/app' })).headers.location).toBe('/app/');
    const missing = await t.app.inject({ url: '/app/assets/nope.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['cache-control']).toBe('no-store');
    const config = await t.app.inject({ url: '/app/config.json' });
    expect(config.json()).toEqual({ oidc: null });
    expect(config.headers['cache-control']).toBe('no-cache');
  });
});

describe('web UI in the compiled image (dist/ui)', () => {
  let dir: string;
  let image: TestApp | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'findash-ui-'));
  });

  afterAll(async () => {
    await image?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 saying how to build it while nothing is built, and serves the files once they are', async () => {
    image = await startTestApp({}, { webUi: { dir } });
    const unbuilt = await image.app.inject({ url: '/app/' });
    expect(unbuilt.statusCode).toBe(503);
    expect(unbuilt.body).toContain('npm run build');
    await image.close();

    await mkdir(path.join(dir, 'assets'), { recursive: true });
    for (const file of FILES) await writeFile(path.join(dir, file.name), file.body);
    image = await startTestApp({}, { webUi: { dir } });
    const built = await image.app.inject({ url: '/app/assets/main-ABC123.js' });
    expect(built.statusCode).toBe(200);
    expect(built.body).toBe(FILES[1]?.body.toString());
  });
});

describe('GET /financial/me', () => {
  it.each([
    ['viewer', ['dashboard:read']],
    ['analyst', ['dashboard:read', 'transactions:read', 'ledger:read']],
    ['admin', ['dashboard:read', 'transactions:read', 'ledger:read', 'ledger:write', 'audit:read']],
  ] as const)('tells a %s its tenant, role and permissions', async (role, permissions) => {
    const res = await t.app.inject({ url: '/financial/me', headers: bearer(tenant.tokens[role]) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      tenant: { id: tenant.id, name: tenant.name, type: tenant.type },
      role,
      actor: `token:${role}-client`,
      permissions,
    });
  });

  it('refuses a missing token (401) and a suspended tenant (403)', async () => {
    expect((await t.app.inject({ url: '/financial/me' })).statusCode).toBe(401);
    const suspended = await t.createTenant({ status: 'suspended' });
    const res = await t.app.inject({ url: '/financial/me', headers: bearer(suspended.tokens.admin) });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ message: string }>().message).toMatch(/suspended/);
  });
});
