import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';

import { LookupCache } from '../../cache/lookup-cache.js';
import {
  checkAdmission,
  principalFrom,
  type Principal,
  type PrincipalRow,
} from '../../domain/auth/principal.js';
import type { Permission } from '../../domain/auth/roles.js';
import { hashToken, looksLikeApiToken } from '../../domain/auth/tokens.js';
import type { ActorContext } from '../../domain/context.js';
import { DomainError } from '../../domain/errors.js';
import { bearer, sameSecret, unauthorized } from '../../http/bearer.js';
import { asArray } from '../../http/route-hooks.js';

/** Resolves a bearer credential that is not an API token (the jwt plugin registers one). */
export type BearerAuthenticator = (
  token: string,
  request: FastifyRequest,
) => Promise<Principal | null | undefined>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Permission the route needs; its presence makes the route authenticated. */
    permission?: Permission;
    /** Route for the platform administrator (ADMIN_TOKEN), not for tenants. */
    platformAdmin?: boolean;
  }
  interface FastifyRequest {
    /** Set on every route declaring config.permission (the hook rejects the request otherwise). */
    actor: ActorContext;
    principal: Principal | null;
  }
  interface FastifyInstance {
    addBearerAuthenticator(authenticator: BearerAuthenticator): void;
  }
}

interface TokenRow extends PrincipalRow {
  token_name: string;
}

/**
 * Authentication and RBAC for every route that declares `config.permission`: bearer API token
 * (hash lookup through a SECURITY DEFINER function, cached for authCacheTtlMs, 2 s by default, so
 * revocation and suspension take effect within that time; refreshed ahead, see LookupCache) or
 * any registered authenticator (JWT), then the tenant's state, then the role's permission.
 * Platform routes take ADMIN_TOKEN instead.
 */
export default fp<{ authCacheTtlMs?: number }>(
  async (fastify, opts) => {
    const tokens = new LookupCache<Principal | false>(opts.authCacheTtlMs ?? 2000, resolveApiToken);
    const authenticators: BearerAuthenticator[] = [];
    fastify.decorate('addBearerAuthenticator', (a: BearerAuthenticator) => {
      authenticators.push(a);
    });
    fastify.decorateRequest('actor', null as unknown as ActorContext);
    fastify.decorateRequest('principal', null);

    async function resolveApiToken(token: string): Promise<Principal | false> {
      const result = await fastify.db.raw<{ rows: TokenRow[] }>('select * from findash_resolve_token(?)', [
        hashToken(token),
      ]);
      const row = result.rows[0];
      return (row && principalFrom(row, `token:${row.token_name}`)) ?? false;
    }

    async function resolveOther(token: string, request: FastifyRequest): Promise<Principal | null> {
      for (const authenticate of authenticators) {
        const principal = await authenticate(token, request);
        if (principal) return principal;
      }
      return null;
    }

    /** The tenant's state and the role's permission; on success the request carries its actor. */
    function admit(request: FastifyRequest, principal: Principal | null, permission: Permission): void {
      checkAdmission(principal, permission);
      request.principal = principal;
      request.actor = {
        tenantId: principal.tenantId,
        tenantName: principal.tenantName,
        tenantType: principal.tenantType,
        actor: principal.actor,
        role: principal.role,
        requestId: request.id,
      };
    }

    function authenticateAdmin(request: FastifyRequest): undefined {
      const adminToken = fastify.config.ADMIN_TOKEN;
      if (!adminToken)
        throw new DomainError(404, 'platform administration is disabled (ADMIN_TOKEN is not set)');
      if (!sameSecret(bearer(request), adminToken)) throw unauthorized('invalid platform admin token');
      return undefined;
    }

    /** Settles synchronously (no promise) when nothing needs a lookup: a cached token. */
    function authenticate(request: FastifyRequest, permission: Permission): Promise<void> | undefined {
      const token = bearer(request);
      if (!looksLikeApiToken(token)) {
        return resolveOther(token, request).then((principal) => admit(request, principal, permission));
      }
      const cached = tokens.get(token);
      if (cached !== undefined) {
        admit(request, cached || null, permission);
        return undefined;
      }
      return tokens.load(token).then((principal) => admit(request, principal || null, permission));
    }

    /** Callback-style: the usual request (cached token) costs no promise and no microtask turn. */
    function hook(check: (request: FastifyRequest) => Promise<void> | undefined): onRequestHookHandler {
      return (request, _reply, done) => {
        let pending: Promise<void> | undefined;
        try {
          pending = check(request);
        } catch (error) {
          done(error as Error);
          return;
        }
        if (pending) pending.then(() => done(), done);
        else done();
      };
    }

    // Route-level: only routes that declare a permission (or platformAdmin) authenticate, and
    // each knows its permission without reading the route's options on every request. Hooks
    // that need the principal (rate limit) are added after this one the same way.
    fastify.addHook('onRoute', (route) => {
      const config = route.config;
      const permission = config?.permission;
      if (config?.platformAdmin) {
        route.onRequest = [...asArray(route.onRequest), hook(authenticateAdmin)];
      } else if (permission) {
        route.onRequest = [...asArray(route.onRequest), hook((request) => authenticate(request, permission))];
      }
    });
  },
  { name: 'auth', dependencies: ['db', 'config'] },
);
