import type { FastifyInstance, FastifyPluginOptions } from 'fastify';
import type { Knex } from 'knex';

import type { AppConfig } from './config.js';
import auditPlugin from './plugins/app/audit.js';
import authPlugin from './plugins/app/auth.js';
import type { CacheStore } from './cache/store.js';
import cachePlugin from './plugins/app/cache.js';
import configPlugin from './plugins/external/config.js';
import dbMetricsPlugin from './plugins/app/db-metrics.js';
import dbPlugin from './plugins/external/db.js';
import deadlinesPlugin from './plugins/app/deadlines.js';
import errorsPlugin from './plugins/app/errors.js';
import healthPlugin from './plugins/app/health.js';
import jwtPlugin from './plugins/app/jwt.js';
import metricsPlugin from './plugins/external/metrics.js';
import rateLimitPlugin from './plugins/app/rate-limit.js';
import securityPlugin from './plugins/external/security.js';
import sentryPlugin from './plugins/external/sentry.js';
import swaggerPlugin from './plugins/external/swagger.js';
import tracingPlugin from './plugins/external/tracing.js';
import webUiPlugin, { type WebUiOptions } from './plugins/app/web-ui.js';
import auditRoutes from './routes/audit/index.js';
import routes from './routes/index.js';

export interface AppOptions extends FastifyPluginOptions {
  readonly config: AppConfig;
  /** Share an existing pool (tests) instead of opening one from DATABASE_URL. */
  readonly knex?: Knex;
  /** Replace the cache store (tests); by default memcached when MEMCACHED_SERVERS is set, else an LRU. */
  readonly cacheStore?: CacheStore;
  /** How long a resolved API token (or JWT subject) is trusted before it is looked up again (ms; 0 = every request). */
  readonly authCacheTtlMs?: number;
  /** Options of the web UI at /app/ (tests can hand it prebuilt files). */
  readonly webUi?: WebUiOptions;
}

/**
 * The application as a plugin (fastify/demo's shape): it never listens, so the server, the
 * tests and the benchmark all run exactly this. plugins/external/ wraps outside libraries,
 * plugins/app/ the app's own concerns; each names the plugins whose decorators it uses. Order
 * matters: config → security headers (so every answer, errors included, has them) → metrics →
 * request deadlines (their 503 carries both) → db → health → cache → auth (+ jwt, rate limit:
 * route-level onRequest hooks, added in this order) → error reporting, tracing → audit (event
 * count, outbox publisher, view batches) → docs → errors → routes → web UI. onClose hooks run in
 * reverse, so the view batch is flushed and the publisher stopped before the cache and the
 * database pool close.
 */
export default async function app(fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  const authCache = opts.authCacheTtlMs !== undefined ? { authCacheTtlMs: opts.authCacheTtlMs } : {};
  await fastify.register(configPlugin, { config: opts.config });
  await fastify.register(securityPlugin);
  await fastify.register(metricsPlugin);
  await fastify.register(deadlinesPlugin);
  await fastify.register(dbPlugin, opts.knex ? { knex: opts.knex } : {});
  await fastify.register(dbMetricsPlugin);
  await fastify.register(healthPlugin);
  await fastify.register(cachePlugin, opts.cacheStore ? { store: opts.cacheStore } : {});
  await fastify.register(authPlugin, authCache);
  await fastify.register(
    jwtPlugin,
    opts.authCacheTtlMs !== undefined ? { subjectCacheTtlMs: opts.authCacheTtlMs } : {},
  );
  await fastify.register(rateLimitPlugin);
  await fastify.register(sentryPlugin);
  await fastify.register(tracingPlugin);
  await fastify.register(auditPlugin);
  await fastify.register(swaggerPlugin);
  await fastify.register(errorsPlugin);
  await fastify.register(routes);
  await fastify.register(auditRoutes);
  await fastify.register(webUiPlugin, opts.webUi ?? {});
}
