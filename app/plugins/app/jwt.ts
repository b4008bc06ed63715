import fp from 'fastify-plugin';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

import { LookupCache } from '../../cache/lookup-cache.js';
import { DomainError, ForbiddenError } from '../../domain/errors.js';
import { principalFrom, type Principal, type PrincipalRow } from '../../domain/auth/principal.js';

/** Only asymmetric algorithms: a shared secret would let any verifier mint tokens. */
const ALGORITHMS = ['RS256', 'ES256'];
/** Claims naming the tenant, in order of preference. */
export const TENANT_CLAIMS = ['findash.io/tenant', 'tenant'] as const;

type SubjectRow = PrincipalRow;

function unauthorized(message: string): DomainError {
  return new DomainError(401, message);
}

/** Turns jose's failures into what the client needs to know, without echoing the token. */
function explain(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof errors.JWTExpired) return unauthorized('token expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return unauthorized(`token claim "${error.claim}" is not valid here (${error.reason})`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return unauthorized(`token algorithm not allowed; use one of ${ALGORITHMS.join(', ')}`);
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed) {
    return unauthorized('token signature does not match a trusted key');
  }
  if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
    // The identity provider's keys could not be fetched: our dependency failed, not the client.
    return new DomainError(503, 'the identity provider keys are unavailable; retry shortly', {
      retryAfter: 5,
    });
  }
  return unauthorized('token is malformed or not a signed JWT');
}

function tenantOf(payload: JWTPayload): string | null {
  for (const claim of TENANT_CLAIMS) {
    const value = payload[claim];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return null;
}

export interface JwtPluginOptions {
  /** How long a subject's role is trusted before it is looked up again (ms; 0 = every request). */
  readonly subjectCacheTtlMs?: number;
}

/**
 * JWT bearer tokens for people (OIDC access tokens): RS256/ES256 only, verified against the
 * JWKS at JWT_JWKS_URL (fetched and cached by jose, refreshed on an unknown key id) or the
 * inline JWKS in JWT_JWKS, with JWT_ISSUER and JWT_AUDIENCE checked. The tenant comes from
 * the `findash.io/tenant` claim (or `tenant`), the tenant's name; the `sub` claim maps to a
 * role through rbac_bindings (findash_resolve_subject). Enabled only when keys are configured.
 */
export default fp<JwtPluginOptions>(
  async (fastify, opts) => {
    const { config } = fastify;
    if (!config.JWT_JWKS_URL && !config.JWT_JWKS) return;
    const keys: JWTVerifyGetKey = config.JWT_JWKS_URL
      ? createRemoteJWKSet(new URL(config.JWT_JWKS_URL), { timeoutDuration: 3000, cooldownDuration: 30_000 })
      : createLocalJWKSet(parseJwks(config.JWT_JWKS ?? ''));
    // Keyed by the tenant's name (which cannot hold a NUL), a NUL, then the subject.
    const subjects = new LookupCache<SubjectRow | false>(opts.subjectCacheTtlMs ?? 2000, async (key) => {
      const cut = key.indexOf('\u0000');
      const result = await fastify.db.raw<{ rows: SubjectRow[] }>(
        'select * from findash_resolve_subject(?, ?)',
        [key.slice(0, cut), key.slice(cut + 1)],
      );
      return result.rows[0] ?? false;
    });

    async function resolveSubject(tenant: string, subject: string): Promise<SubjectRow | null> {
      const key = `${tenant}\u0000${subject}`;
      return (subjects.get(key) ?? (await subjects.load(key))) || null;
    }

    fastify.addBearerAuthenticator(async (token): Promise<Principal | null> => {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: ALGORITHMS,
          issuer: config.JWT_ISSUER ?? '',
          audience: config.JWT_AUDIENCE ?? '',
          requiredClaims: ['sub', 'exp'],
          clockTolerance: 30,
        }));
      } catch (error) {
        throw explain(error);
      }
      const subject = payload.sub ?? '';
      const tenant = tenantOf(payload);
      if (!tenant) throw unauthorized(`token has no tenant claim (${TENANT_CLAIMS.join(' or ')})`);
      const row = await resolveSubject(tenant, subject);
      const principal = row ? principalFrom(row, `jwt:${subject}`) : null;
      if (!principal) throw new ForbiddenError(`subject ${subject} has no role in tenant ${tenant}`);
      return principal;
    });
  },
  { name: 'jwt', dependencies: ['auth', 'db', 'config'] },
);

function parseJwks(text: string): JSONWebKeySet {
  const value = JSON.parse(text) as unknown;
  if (!value || typeof value !== 'object' || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw new Error('JWT_JWKS must be a JSON Web Key Set: {"keys": [...]}');
  }
  return value as JSONWebKeySet;
}
