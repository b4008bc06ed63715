import type { FastifyInstance } from 'fastify';

import { buildApp } from '../../app/build.js';
import { loadConfig } from '../../app/config.js';
import type { BenchDatabase } from './bench-database.js';

/** One load run against the app over HTTP. */
export interface Scenario {
  readonly name: string;
  readonly path: string;
  /** Send the tenant's bearer token. */
  readonly auth: boolean;
  readonly tool: 'autocannon' | 'ab';
  /** autocannon: connections; ab: concurrency. */
  readonly connections: number;
  /** ab only: total requests. */
  readonly requests?: number;
  /** App configuration on top of BASE_ENV; one server per distinct env. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra request headers (e.g. Accept-Encoding). */
  readonly headers?: Readonly<Record<string, string>>;
}

export const DASHBOARD = '/financial/dashboard';
export const HELLO = '/bench/hello';

/** Add a scenario by adding one entry; `env` overrides the app configuration and a server is started per
 * distinct `env` (e.g. { DASHBOARD_CACHE_TTL: '600' } for a cached run). */
export const SCENARIOS: readonly Scenario[] = [
  { name: 'hello world', path: HELLO, auth: false, tool: 'autocannon', connections: 10 },
  { name: 'hello world', path: HELLO, auth: false, tool: 'autocannon', connections: 100 },
  { name: 'dashboard, fresh per request', path: DASHBOARD, auth: true, tool: 'autocannon', connections: 1 },
  { name: 'dashboard, fresh per request', path: DASHBOARD, auth: true, tool: 'autocannon', connections: 10 },
  { name: 'dashboard, fresh per request', path: DASHBOARD, auth: true, tool: 'autocannon', connections: 100 },
  {
    name: 'dashboard, fresh (ab -n 100 -c 10)',
    path: DASHBOARD,
    auth: true,
    tool: 'ab',
    connections: 10,
    requests: 100,
  },
];

/** Every server: quiet, production mode, no dashboard cache, no rate limit in the way. */
const BASE_ENV: Readonly<Record<string, string>> = {
  FINDASH_ENV: 'production',
  LOG_LEVEL: 'silent',
  DASHBOARD_CACHE_TTL: '0',
  RATE_LIMIT_DEFAULT_RPM: '0',
};

/** The real app on 127.0.0.1 with BASE_ENV and `env`, plus the hello-world route the dashboard is compared with. */
export async function startServer(
  db: BenchDatabase,
  env: Readonly<Record<string, string>>,
): Promise<{ app: FastifyInstance; url: string }> {
  const config = loadConfig({
    ...process.env,
    ...BASE_ENV,
    ...env,
    DATABASE_URL: db.appUrl,
    DATABASE_OWNER_URL: db.ownerUrl,
    HOST: '127.0.0.1',
    PORT: '0',
  });
  const app = await buildApp({ config, logger: false });
  // The comparison route: same server, plugins and hooks, no work.
  app.get(HELLO, async () => ({ hello: 'world' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}` };
}
