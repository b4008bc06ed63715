import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { createMetrics } from '../../operator/metrics.js';
import { startHealthServer, type HealthServer } from '../../operator/http/health-server.js';
import { run } from '../charts/helm.js';
import { startTestApp, type TestApp } from '../harness/app.js';
import { freePort } from '../harness/ports.js';

// `promtool check metrics` (Prometheus' own linter for exposition: naming, units, suffixes, help text) on real
// scrapes (issue #15.3): the API's /metrics after traffic, on its metrics port as the manifests run it, and the
// operator's /metrics from its health server. No problems allowed.

/**
 * Reviewed exception: prom-client's default metrics name three gauges *_total (upstream names, the same in
 * every Node service and the dashboards built for them); findash's own metrics have no exception.
 */
const PROM_CLIENT_DEFAULTS = new Set([
  'nodejs_active_handles_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_requests_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_resources_total non-counter metrics should not have "_total" suffix',
]);

/** promtool's findings for a scrape, less the reviewed exception. */
async function checkMetrics(text: string): Promise<string[]> {
  const result = await run('promtool', ['check', 'metrics'], { input: text });
  const findings = `${result.stdout}${result.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (result.code !== 0 && result.code !== 3) throw new Error(`promtool failed: ${findings.join('\n')}`);
  return findings.filter((f) => !PROM_CLIENT_DEFAULTS.has(f));
}

describe('promtool check metrics', () => {
  let t: TestApp;
  let metricsPort: number;
  let operator: HealthServer;

  beforeAll(async () => {
    metricsPort = await freePort();
    t = await startTestApp({
      HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      RATE_LIMIT_DEFAULT_RPM: '0',
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const tenant = await t.createTenant({ type: 'organization' });
    for (const url of ['/financial/dashboard', '/financial/accounts', '/health/ready', '/no/such/path']) {
      await t.app.inject({ url, headers: { authorization: `Bearer ${tenant.tokens.admin}` } });
    }
    const metrics = createMetrics({ leaseName: 'findash-operator' });
    metrics.reconcileTotal.inc({ controller: 'tenant', result: 'success' });
    metrics.reconcileTime.observe({ controller: 'tenant' }, 0.02);
    operator = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry: metrics.registry,
      healthz: () => ({}),
      readyz: async () => ({}),
    });
  });
  afterAll(async () => {
    await operator.close();
    await t.close();
  });

  it("finds no problem in the API's scrape", async () => {
    const text = await (await fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`)).text();
    expect(text).toMatch(/^http_request_duration_seconds_count\{/m);
    expect(await checkMetrics(text)).toEqual([]);
  });

  it("finds no problem in the operator's scrape", async () => {
    const text = await (await fetch(`http://127.0.0.1:${String(operator.port)}/metrics`)).text();
    expect(text).toMatch(/^controller_runtime_reconcile_total\{/m);
    expect(await checkMetrics(text)).toEqual([]);
  });
});
