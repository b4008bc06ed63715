import { describe, expect, it } from '@jest/globals';
import type { FastifyPluginAsync } from 'fastify';

import audit from '../../app/plugins/app/audit.js';
import auth from '../../app/plugins/app/auth.js';
import cache from '../../app/plugins/app/cache.js';
import dbMetrics from '../../app/plugins/app/db-metrics.js';
import deadlines from '../../app/plugins/app/deadlines.js';
import errors from '../../app/plugins/app/errors.js';
import health from '../../app/plugins/app/health.js';
import jwt from '../../app/plugins/app/jwt.js';
import rateLimit from '../../app/plugins/app/rate-limit.js';
import webUi from '../../app/plugins/app/web-ui.js';
import config from '../../app/plugins/external/config.js';
import db from '../../app/plugins/external/db.js';
import metrics from '../../app/plugins/external/metrics.js';
import security from '../../app/plugins/external/security.js';
import sentry from '../../app/plugins/external/sentry.js';
import swagger from '../../app/plugins/external/swagger.js';
import tracing from '../../app/plugins/external/tracing.js';

interface PluginMeta {
  readonly name?: string;
  readonly dependencies?: readonly string[];
}
const meta = (plugin: unknown): PluginMeta =>
  (plugin as Record<symbol, PluginMeta | undefined>)[Symbol.for('plugin-meta')] ?? {};

/**
 * Each plugin names exactly the plugins whose decorators it uses (fastify-plugin then refuses to
 * register it before them): config (config), db (db, afterTenantWrite, request.withTenant),
 * metrics (metrics), security (securityHeaders), health (addHealthCheck), db-metrics
 * (recordDbError), auth (addBearerAuthenticator, request.actor, request.principal).
 */
const USES: ReadonlyArray<readonly [string, unknown, readonly string[]]> = [
  ['config', config, []],
  ['security', security, []],
  ['metrics', metrics, ['config']],
  ['deadlines', deadlines, ['config', 'metrics', 'security']],
  ['db', db, ['config']],
  ['db-metrics', dbMetrics, ['config', 'db', 'metrics']],
  ['health', health, ['db']],
  ['cache', cache, ['config', 'db', 'health', 'metrics']],
  ['auth', auth, ['config', 'db']],
  ['jwt', jwt, ['auth', 'config', 'db']],
  ['rate-limit', rateLimit, ['auth', 'config', 'metrics']],
  ['sentry', sentry, ['auth', 'config']],
  ['tracing', tracing, ['auth', 'config']],
  ['audit', audit, ['auth', 'config', 'db', 'db-metrics', 'health', 'metrics']],
  ['swagger', swagger, ['security']],
  ['errors', errors, []],
  ['web-ui', webUi, ['config', 'security']],
];

describe('plugin dependencies', () => {
  it.each(USES)('%s lists exactly the plugins whose decorators it uses', (name, plugin, uses) => {
    expect(meta(plugin).name).toBe(name);
    expect([...(meta(plugin).dependencies ?? [])].sort()).toEqual(uses);
  });

  it('refuses the deadline plugin before the security headers and metrics its 503 uses', async () => {
    const { default: Fastify } = await import('fastify');
    const { loadConfig } = await import('../../app/config.js');
    const app = Fastify();
    await app.register(config as FastifyPluginAsync<{ config: unknown }>, {
      config: loadConfig({ FINDASH_ENV: 'testing', REQUEST_TIMEOUT_MS: '1000' }),
    });
    await expect(app.register(deadlines).ready()).rejects.toThrow(/security/);
    await app.close();
  });
});
