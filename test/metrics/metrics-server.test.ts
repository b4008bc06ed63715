import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startTestApp, type TestApp } from '../harness/app.js';
import { freePort } from '../harness/ports.js';

/**
 * Issue #17.4: with METRICS_PORT set, /metrics is served on a listener of its own and the API port (the one
 * the Ingress routes to) has none; the database gauges are read at most once per METRICS_DB_REFRESH_MS, so a
 * burst of scrapes costs PostgreSQL one statistics query.
 */
describe('METRICS_PORT and cached database gauges', () => {
  let t: TestApp;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    t = await startTestApp({
      HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      METRICS_DB_REFRESH_MS: '60000',
    });
    // The metrics listener opens when the API server listens (and closes with it).
    await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 404 for /metrics on the API port', async () => {
    const res = await t.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(404);
  });

  it('serves the registry on the metrics port, and nothing else there', async () => {
    const res = await fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(body).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
    expect(body).toMatch(/^findash_active_tenants \d+$/m);
    const other = await fetch(`http://127.0.0.1:${String(metricsPort)}/financial/dashboard`);
    expect(other.status).toBe(404);
    await other.text();
  });

  it('reads the database statistics once for a burst of scrapes within METRICS_DB_REFRESH_MS', async () => {
    const scrape = async () => (await fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`)).text();
    // The statistics query reads pg_locks: its duration count is how many times it ran.
    const statisticsQueries = (body: string) =>
      Number(
        /^findash_db_query_duration_seconds_count\{operation="select:pg_locks"\} (\d+)$/m.exec(body)?.[1] ??
          0,
      );
    const burst = await Promise.all(Array.from({ length: 5 }, scrape));
    for (let i = 0; i < 5; i += 1) await scrape();
    const last = await scrape();
    // The earlier test's scrape read them once; every scrape since answered the cached values.
    expect(statisticsQueries(last)).toBe(1);
    for (const body of burst) expect(body).toMatch(/^findash_db_size_bytes [1-9]\d*/m);
  });
});
