import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

import { DomainError } from '../domain/errors.js';
import { unauthorized } from './bearer.js';

/** Only asymmetric algorithms: a shared secret would let any verifier mint tokens. */
const ALGORITHMS = ['RS256', 'ES256'];
/** Claims naming the tenant, in order of preference. */
export const TENANT_CLAIMS = ['findash.io/tenant', 'tenant'] as const;

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

/** What a verified token says: who, in which tenant. */
export interface VerifiedToken {
  readonly subject: string;
  readonly tenant: string;
}

export interface JwtSettings {
  readonly jwksUrl?: string | undefined;
  readonly jwks?: string | undefined;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
}

/**
 * Verifies OIDC access tokens: RS256/ES256 only, against the JWKS at `jwksUrl` (fetched and
 * cached by jose, refreshed on an unknown key id) or the inline `jwks`, with issuer and audience
 * checked; the tenant comes from the `findash.io/tenant` claim (or `tenant`). Null when no keys
 * are configured. Failures are 401s saying why, or a 503 when the keys cannot be fetched.
 */
export function jwtVerifier(settings: JwtSettings): ((token: string) => Promise<VerifiedToken>) | null {
  if (!settings.jwksUrl && !settings.jwks) return null;
  const keys: JWTVerifyGetKey = settings.jwksUrl
    ? createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 3000, cooldownDuration: 30_000 })
    : createLocalJWKSet(parseJwks(settings.jwks ?? ''));
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ALGORITHMS,
        issuer: settings.issuer ?? '',
        audience: settings.audience ?? '',
        requiredClaims: ['sub', 'exp'],
        clockTolerance: 30,
      }));
    } catch (error) {
      throw explain(error);
    }
    const tenant = tenantOf(payload);
    if (!tenant) throw unauthorized(`token has no tenant claim (${TENANT_CLAIMS.join(' or ')})`);
    return { subject: payload.sub ?? '', tenant };
  };
}

function parseJwks(text: string): JSONWebKeySet {
  const value = JSON.parse(text) as unknown;
  if (!value || typeof value !== 'object' || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw new Error('JWT_JWKS must be a JSON Web Key Set: {"keys": [...]}');
  }
  return value as JSONWebKeySet;
}
