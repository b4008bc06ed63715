import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

import { asPlatform } from '../../../app/db/tenant-scope.js';
import { bearer, startTestApp, type TestApp, type TestTenant } from '../../harness/app.js';
import { startReplica } from '../../helpers/instances.js';

const ISSUER = 'https://id.example.test/';
const AUDIENCE = 'findash-api';

interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

async function signingKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/**
 * JWTs for people, verified against a JWKS served over HTTP by a local identity provider stand-in,
 * mapped to roles through rbac_bindings.
 */
describe('JWT bearer tokens', () => {
  let idp: Server;
  let jwksUrl: string;
  let jwksAvailable = true;
  let rsa: SigningKey;
  let ec: SigningKey;
  let stranger: SigningKey;
  let t: TestApp;
  let tenant: TestTenant;

  async function token(
    key: SigningKey,
    claims: Record<string, unknown> = {},
    options: { sub?: string; aud?: string; iss?: string; exp?: number | string; kid?: string } = {},
  ): Promise<string> {
    const jwt = new SignJWT({ 'findash.io/tenant': tenant.name, ...claims })
      .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: 'JWT' })
      .setSubject(options.sub ?? 'alice@example.test')
      .setIssuer(options.iss ?? ISSUER)
      .setAudience(options.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m');
    return jwt.sign(key.privateKey);
  }

  async function dashboard(app: FastifyInstance, jwt: string): Promise<{ status: number; message: string }> {
    const res = await app.inject({ url: '/financial/dashboard/summary', headers: bearer(jwt) });
    return { status: res.statusCode, message: res.json<{ message?: string }>().message ?? '' };
  }

  beforeAll(async () => {
    rsa = await signingKey('rsa-1', 'RS256');
    ec = await signingKey('ec-1', 'ES256');
    stranger = await signingKey('rsa-1', 'RS256'); // same kid, different key: a forged token
    idp = createServer((req, res) => {
      if (!jwksAvailable) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [rsa.jwk, ec.jwk] }));
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/.well-known/jwks.json`;
    t = await startTestApp({
      JWT_JWKS_URL: jwksUrl,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      RATE_LIMIT_DEFAULT_RPM: '0',
    });
    tenant = await t.createTenant();
    await asPlatform(t.owner, (trx) =>
      trx('rbac_bindings').insert([
        { tenant_id: tenant.id, subject: 'alice@example.test', role: 'admin' },
        { tenant_id: tenant.id, subject: 'bob@example.test', role: 'viewer' },
      ]),
    );
  });

  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => idp.close(resolve));
  });

  it('accepts RS256 and ES256 tokens from the issuer and maps the subject to its role', async () => {
    expect(await dashboard(t.app, await token(rsa))).toMatchObject({ status: 200 });
    expect(await dashboard(t.app, await token(ec))).toMatchObject({ status: 200 });
    // The plain `tenant` claim works too.
    const plain = await token(rsa, { 'findash.io/tenant': undefined, tenant: tenant.name });
    expect(await dashboard(t.app, plain)).toMatchObject({ status: 200 });

    const bob = await token(rsa, {}, { sub: 'bob@example.test' });
    expect(await dashboard(t.app, bob)).toMatchObject({ status: 200 });
    const write = await t.app.inject({
      method: 'POST',
      url: '/financial/accounts',
      headers: bearer(bob),
      payload: { name: 'Nope', account_type: 'cash', currency: 'USD' },
    });
    expect(write.statusCode).toBe(403);

    const alice = await token(rsa);
    const created = await t.app.inject({
      method: 'POST',
      url: '/financial/accounts',
      headers: bearer(alice),
      payload: { name: 'By Alice', account_type: 'cash', currency: 'USD' },
    });
    expect(created.statusCode).toBe(201);
    const audit = await t.app.inject({
      url: '/financial/audit?action=account.create',
      headers: bearer(alice),
    });
    expect(audit.json<{ data: Array<{ actor: string }> }>().data[0]?.actor).toBe('jwt:alice@example.test');
  });

  it('refuses expired, wrong-audience, wrong-issuer, wrong-key and unsigned tokens with 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Record<string, string> = {
      expired: await token(rsa, {}, { exp: now - 120 }),
      'wrong audience': await token(rsa, {}, { aud: 'someone-else' }),
      'wrong issuer': await token(rsa, {}, { iss: 'https://evil.example.test/' }),
      'wrong key, same kid': await token(stranger),
      'unknown kid': await token(stranger, {}, { kid: 'nope' }),
      'alg none': unsigned({
        sub: 'alice@example.test',
        iss: ISSUER,
        aud: AUDIENCE,
        exp: now + 300,
        'findash.io/tenant': tenant.name,
      }),
      'HS256 with the public key as secret': await hs256WithPublicKey(rsa.jwk, now),
      garbage: 'not.a.jwt',
    };
    for (const [name, jwt] of Object.entries(cases)) {
      const result = await dashboard(t.app, jwt);
      expect({ name, status: result.status }).toEqual({ name, status: 401 });
    }
    expect((await dashboard(t.app, cases.expired ?? '')).message).toBe('token expired');
    expect((await dashboard(t.app, cases['wrong audience'] ?? '')).message).toMatch(/"aud"/);
  });

  it('refuses tokens without a tenant (401) and subjects without a role in the tenant (403)', async () => {
    const noTenant = await token(rsa, { 'findash.io/tenant': undefined });
    expect(await dashboard(t.app, noTenant)).toMatchObject({
      status: 401,
      message: expect.stringMatching(/tenant claim/),
    });
    expect(await dashboard(t.app, await token(rsa, {}, { sub: 'mallory@example.test' }))).toMatchObject({
      status: 403,
    });
    const otherTenant = await t.createTenant();
    expect(await dashboard(t.app, await token(rsa, { 'findash.io/tenant': otherTenant.name }))).toMatchObject(
      { status: 403 },
    );
  });

  it('works with keys configured inline (JWT_JWKS) instead of a URL', async () => {
    const inline = await startReplica(t, {
      JWT_JWKS: JSON.stringify({ keys: [ec.jwk] }),
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      RATE_LIMIT_DEFAULT_RPM: '0',
    });
    try {
      expect(await dashboard(inline, await token(ec))).toMatchObject({ status: 200 });
      expect(await dashboard(inline, await token(rsa))).toMatchObject({ status: 401 });
    } finally {
      await inline.close();
    }
  });

  it('answers 503 (not 401) when the identity provider’s keys cannot be fetched', async () => {
    const cold = await startReplica(t, { JWT_JWKS_URL: jwksUrl, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
    jwksAvailable = false;
    try {
      const result = await dashboard(cold, await token(rsa));
      expect(result.status).toBe(503);
      // API tokens do not depend on the identity provider.
      expect(
        (await cold.inject({ url: '/financial/dashboard/summary', headers: bearer(tenant.tokens.viewer) }))
          .statusCode,
      ).toBe(200);
    } finally {
      jwksAvailable = true;
      await cold.close();
    }
  });
});

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function unsigned(claims: Record<string, unknown>): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
}

async function hs256WithPublicKey(jwk: JWK, now: number): Promise<string> {
  const { createHmac } = await import('node:crypto');
  const header = base64url({ alg: 'HS256', typ: 'JWT', kid: jwk.kid });
  const payload = base64url({ sub: 'alice@example.test', iss: ISSUER, aud: AUDIENCE, exp: now + 300 });
  const signature = createHmac('sha256', JSON.stringify(jwk))
    .update(`${header}.${payload}`)
    .digest('base64url');
  return `${header}.${payload}.${signature}`;
}
