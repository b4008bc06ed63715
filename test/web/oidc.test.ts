import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Browser } from 'playwright-core';

import { asPlatform } from '../../app/db/tenant-scope.js';
import type { TestTenant } from '../harness/app.js';
import { launchBrowser, screenshot, startUiServer, watchedPage, type UiServer } from './harness.js';

/**
 * OIDC sign-in from the web UI: authorization code + PKCE (S256) against a local identity
 * provider stand-in (discovery, authorize, token, JWKS), whose access token the API verifies
 * (JWT_JWKS_URL, JWT_ISSUER, JWT_AUDIENCE) and maps to a role through rbac_bindings.
 */
const CLIENT_ID = 'findash-ui';
const AUDIENCE = 'findash-api';

interface Grant {
  readonly challenge: string;
  readonly redirectUri: string;
}

let idp: Server;
let issuer: string;
let privateKey: CryptoKey;
let jwk: JWK;
const grants = new Map<string, Grant>();
const tokenRequests: URLSearchParams[] = [];
let server: UiServer;
let tenant: TestTenant;
let browser: Browser;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
  res.end(JSON.stringify(body));
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', issuer);
  if (url.pathname === '/.well-known/openid-configuration') {
    json(res, 200, {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      code_challenge_methods_supported: ['S256'],
    });
  } else if (url.pathname === '/jwks') {
    json(res, 200, { keys: [jwk] });
  } else if (url.pathname === '/authorize') {
    // A person who signs in at once: the provider sends the browser straight back with a code.
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri') ?? '';
    if (
      q.get('client_id') !== CLIENT_ID ||
      q.get('code_challenge_method') !== 'S256' ||
      !q.get('code_challenge')
    ) {
      json(res, 400, { error: 'invalid_request' });
      return;
    }
    const code = randomBytes(16).toString('hex');
    grants.set(code, { challenge: q.get('code_challenge') ?? '', redirectUri });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.get('state') ?? '');
    res.writeHead(302, { location: back.toString() });
    res.end();
  } else if (url.pathname === '/token' && req.method === 'POST') {
    const form = new URLSearchParams(await body(req));
    tokenRequests.push(form);
    const grant = grants.get(form.get('code') ?? '');
    grants.delete(form.get('code') ?? '');
    const verifier = form.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (!grant || grant.challenge !== challenge || grant.redirectUri !== form.get('redirect_uri')) {
      json(res, 400, { error: 'invalid_grant' });
      return;
    }
    const accessToken = await new SignJWT({ 'findash.io/tenant': tenant.name })
      .setProtectedHeader({ alg: 'ES256', kid: 'ui-test' })
      .setSubject('carol@example.test')
      .setIssuer(issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 600 });
  } else {
    json(res, 404, { error: 'not_found' });
  }
}

// A browser on a shared 2-core CI machine beside the rest of the suite: room for a slow moment.
jest.setTimeout(120_000);

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  jwk = { ...(await exportJWK(pair.publicKey)), kid: 'ui-test', alg: 'ES256', use: 'sig' };
  idp = createServer((req, res) => {
    handle(req, res).catch(() => json(res, 500, { error: 'server_error' }));
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  server = await startUiServer({
    JWT_JWKS_URL: `${issuer}/jwks`,
    JWT_ISSUER: issuer,
    JWT_AUDIENCE: AUDIENCE,
    OIDC_CLIENT_ID: CLIENT_ID,
  });
  tenant = await server.createTenant({ timezone: 'America/New_York' });
  await asPlatform(server.owner, (trx) =>
    trx('rbac_bindings').insert({ tenant_id: tenant.id, subject: 'carol@example.test', role: 'analyst' }),
  );
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  // beforeAll may have failed half-way.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  await browser?.close();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  await server?.close();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  if (idp) await new Promise((resolve) => idp.close(resolve));
});

describe('OIDC sign-in in the web UI', () => {
  it('signs in with authorization code + PKCE and shows the role of the bound subject', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${server.url}/app/`);
    const csp =
      (await page.context().request.get(`${server.url}/app/`)).headers()['content-security-policy'] ?? '';
    expect(csp).toContain(`connect-src 'self' ${issuer}`);

    await page.getByRole('button', { name: `Continue with ${new URL(issuer).host}` }).click();
    await page.getByTestId('balances').waitFor();
    await expect(page.getByTestId('role').textContent()).resolves.toBe('analyst');
    await expect(page.getByTestId('tenant-timezone').textContent()).resolves.toBe('America/New_York');

    // The code and state are gone from the address bar; the verifier went to the token endpoint only.
    expect(new URL(page.url()).search).toBe('');
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]?.get('client_id')).toBe(CLIENT_ID);
    expect(tokenRequests[0]?.get('redirect_uri')).toBe(`${server.url}/app/`);
    const stored = String(await page.evaluate("sessionStorage.getItem('findash.token')"));
    expect(stored.split('.')).toHaveLength(3);
    expect(await context.cookies()).toEqual([]);
    await screenshot(page, 'oidc-signed-in-desktop');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('refuses a return from the provider that this tab did not start', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${server.url}/app/?code=forged&state=forged`);
    await expect(page.getByTestId('sign-in-error').textContent()).resolves.toMatch(/not started here/);
    expect(new URL(page.url()).search).toBe('');
    await context.close();
  });
});
