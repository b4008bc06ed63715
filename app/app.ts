import type { FastifyInstance, FastifyPluginOptions } from 'fastify';
import type { Knex } from 'knex';

import type { AppConfig } from './config.js';
import authPlugin from './plugins/auth.js';
import cachePlugin, { type CacheStore } from './plugins/cache.js';
import configPlugin from './plugins/config.js';
import dbPlugin from './plugins/db.js';
import errorsPlugin from './plugins/errors.js';
import healthPlugin from './plugins/health.js';
import swaggerPlugin from './plugins/swagger.js';
import routes from './routes/index.js';

export interface AppOptions extends FastifyPluginOptions {
  readonly config: AppConfig;
  /** Share an existing pool (tests) instead of opening one from DATABASE_URL. */
  readonly knex?: Knex;
  /** Replace the cache store (tests, or the memcached store chosen by the server). */
  readonly cacheStore?: CacheStore;
  /** How long a resolved API token is trusted before it is looked up again (ms; 0 = every request). */
  readonly authCacheTtlMs?: number;
}

/**
 * The application as a plugin (fastify/demo's shape): it never listens, so the server, the
 * tests and the benchmark all run exactly this. Order matters: config → db → cache → auth →
 * health → docs → errors → routes.
 */
export default async function app(fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  await fastify.register(configPlugin, { config: opts.config });
  await fastify.register(dbPlugin, opts.knex ? { knex: opts.knex } : {});
  await fastify.register(cachePlugin, opts.cacheStore ? { store: opts.cacheStore } : {});
  await fastify.register(
    authPlugin,
    opts.authCacheTtlMs !== undefined ? { authCacheTtlMs: opts.authCacheTtlMs } : {},
  );
  await fastify.register(healthPlugin);
  await fastify.register(swaggerPlugin);
  await fastify.register(errorsPlugin);
  await fastify.register(routes);
}
