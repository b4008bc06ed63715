import fp from 'fastify-plugin';
import type { Knex } from 'knex';

import { createKnex } from '../../db/knex.js';
import { withTenant, type TransactionOptions } from '../../db/tenant-scope.js';
import type { ActorContext } from '../../domain/context.js';
import { DomainError } from '../../domain/errors.js';
import { commitGuard } from '../../http/request-deadline.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The API role's pool: owns no table, row-level security applies. */
    db: Knex;
    /**
     * Runs after every committed request write, before the route answers (the dashboard cache
     * invalidates the tenant here, so no write can forget to).
     */
    afterTenantWrite(hook: (actor: ActorContext) => Promise<void>): void;
  }
  interface FastifyRequest {
    /** One transaction scoped to the authenticated tenant (app.tenant_id set for RLS). */
    withTenant<T>(work: (trx: Knex.Transaction) => Promise<T>, options?: { readOnly?: boolean }): Promise<T>;
    /**
     * What every transaction of this request runs under: its statements end with its deadline,
     * and a write rolls back if the deadline has already answered 503 (withTenant applies it;
     * routes on other transaction helpers, like /admin/tenants, pass it on).
     */
    transactionOptions(options?: { readOnly?: boolean }): TransactionOptions;
  }
}

export interface DbPluginOptions {
  /** Use this knex instead of creating one (tests share a pool). */
  readonly knex?: Knex;
}

export default fp<DbPluginOptions>(
  async (fastify, opts) => {
    const { config } = fastify;
    const url = config.DATABASE_URL;
    if (!opts.knex && !url)
      throw new Error('DATABASE_URL is required (server.ts starts embedded PostgreSQL when unset)');
    const knex =
      opts.knex ??
      createKnex({
        url: url ?? '',
        poolMax: config.DATABASE_POOL_MAX,
        statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
        applicationName: 'findash-api',
      });
    fastify.decorate('db', knex);
    const afterWrite: Array<(actor: ActorContext) => Promise<void>> = [];
    fastify.decorate('afterTenantWrite', (hook: (actor: ActorContext) => Promise<void>) => {
      afterWrite.push(hook);
    });
    // A request's statements end with its deadline: once it has answered 503, a statement still
    // waiting (on a lock, say) would only hold its pool connection. Each statement starts after
    // the request's last read, where the deadline is counted from, so the 503 comes first.
    // Background work on the same pool keeps DATABASE_STATEMENT_TIMEOUT_MS.
    const statementTimeoutMs =
      config.REQUEST_TIMEOUT_MS > 0 &&
      (config.DATABASE_STATEMENT_TIMEOUT_MS === 0 ||
        config.REQUEST_TIMEOUT_MS < config.DATABASE_STATEMENT_TIMEOUT_MS)
        ? config.REQUEST_TIMEOUT_MS
        : undefined;
    fastify.decorateRequest(
      'transactionOptions',
      function transactionOptions(
        this: import('fastify').FastifyRequest,
        options?: { readOnly?: boolean },
      ): TransactionOptions {
        const readOnly = options?.readOnly ?? false;
        // A write whose request was answered 503 by its deadline rolls back (app/http/request-deadline.ts).
        return { readOnly, statementTimeoutMs, guard: readOnly ? undefined : commitGuard(this.raw) };
      },
    );
    fastify.decorateRequest('withTenant', function withTenantScope<
      T,
    >(this: import('fastify').FastifyRequest, work: (trx: Knex.Transaction) => Promise<T>, options?: { readOnly?: boolean }): Promise<T> {
      const actor = this.actor as ActorContext | null;
      if (!actor) throw new DomainError(401, 'authentication required');
      const scope = this.transactionOptions(options);
      const done = withTenant(knex, actor.tenantId, work, scope);
      if (scope.readOnly) return done;
      return done.then(async (result) => {
        for (const hook of afterWrite) await hook(actor);
        return result;
      });
    });
    if (!opts.knex) fastify.addHook('onClose', async () => knex.destroy());
  },
  { name: 'db', dependencies: ['config'] },
);
