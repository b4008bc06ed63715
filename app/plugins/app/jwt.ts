import fp from 'fastify-plugin';

import { LookupCache } from '../../cache/lookup-cache.js';
import { principalFrom, type Principal, type PrincipalRow } from '../../domain/auth/principal.js';
import { ForbiddenError } from '../../domain/errors.js';
import { jwtVerifier } from '../../http/jwt-verifier.js';

export interface JwtPluginOptions {
  /** How long a subject's role is trusted before it is looked up again (ms; 0 = every request). */
  readonly subjectCacheTtlMs?: number;
}

/**
 * JWT bearer tokens for people (OIDC access tokens), verified by app/http/jwt-verifier.ts against
 * JWT_JWKS_URL or JWT_JWKS, JWT_ISSUER and JWT_AUDIENCE; the `sub` claim maps to a role in the
 * token's tenant through rbac_bindings (findash_resolve_subject, cached for subjectCacheTtlMs).
 * Enabled only when keys are configured.
 */
export default fp<JwtPluginOptions>(
  async (fastify, opts) => {
    const { config } = fastify;
    const verify = jwtVerifier({
      jwksUrl: config.JWT_JWKS_URL,
      jwks: config.JWT_JWKS,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    if (!verify) return;
    // Keyed by the tenant's name (which cannot hold a NUL), a NUL, then the subject.
    const subjects = new LookupCache<PrincipalRow | false>(opts.subjectCacheTtlMs ?? 2000, async (key) => {
      const cut = key.indexOf('\u0000');
      const result = await fastify.db.raw<{ rows: PrincipalRow[] }>(
        'select * from findash_resolve_subject(?, ?)',
        [key.slice(0, cut), key.slice(cut + 1)],
      );
      return result.rows[0] ?? false;
    });

    async function resolveSubject(tenant: string, subject: string): Promise<PrincipalRow | null> {
      const key = `${tenant}\u0000${subject}`;
      return (subjects.get(key) ?? (await subjects.load(key))) || null;
    }

    fastify.addBearerAuthenticator(async (token): Promise<Principal | null> => {
      const { subject, tenant } = await verify(token);
      const row = await resolveSubject(tenant, subject);
      const principal = row ? principalFrom(row, `jwt:${subject}`) : null;
      if (!principal) throw new ForbiddenError(`subject ${subject} has no role in tenant ${tenant}`);
      return principal;
    });
  },
  { name: 'jwt', dependencies: ['auth', 'db', 'config'] },
);
