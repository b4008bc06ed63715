import { afterEach, describe, expect, it } from '@jest/globals';

import { startFakeApi, type FakeApi } from './fake-api.js';
import { runScript, verdicts } from './run-script.js';

/** ci/smoke-test.sh against a stand-in HTTP server on 127.0.0.1 (see fake-api.ts). */

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const smoke = (args: string[], env: NodeJS.ProcessEnv = {}) => runScript('ci/smoke-test.sh', args, env);

describe('ci/smoke-test.sh', () => {
  it('passes a healthy API with a valid token, one PASS line per check', async () => {
    api = await startFakeApi({ token: 'good' });
    const result = await smoke([api.url, 'good']);
    expect(verdicts(result.stdout)).toEqual([
      'PASS GET /health/live 200',
      'PASS GET /health 200',
      'PASS GET /health/ready 200',
      'PASS GET /metrics 200 (2 metric families)',
      'PASS GET /financial/dashboard without token 401',
      'PASS GET /financial/dashboard 200',
      'PASS GET /financial/dashboard/summary 200',
    ]);
    expect(result.stdout).toMatch(/^7 passed, 0 failed$/m);
    expect(result.code).toBe(0);
    expect(api.hits.get('/financial/dashboard')).toBe(2);
  });

  it('with SMOKE_METRICS_URL, wants /metrics there and a 404 on the API port (found deploying to real Pods)', async () => {
    api = await startFakeApi({ token: 'good', metricsElsewhere: true });
    const metrics = await startFakeApi();
    try {
      const result = await smoke([api.url, 'good'], { SMOKE_METRICS_URL: metrics.url });
      expect(verdicts(result.stdout)).toContain(
        'PASS GET /metrics 404 on the API port (metrics are on their own listener)',
      );
      expect(verdicts(result.stdout)).toContain('PASS GET /metrics 200 (2 metric families)');
      expect(result.code).toBe(0);
      // The API port serving metrics is what the separate listener exists to prevent.
      const exposed = await smoke([metrics.url, 'test-token'], { SMOKE_METRICS_URL: metrics.url });
      expect(exposed.stdout).toContain('FAIL GET /metrics status=200 on the API port');
      expect(exposed.code).toBe(1);
    } finally {
      await metrics.close();
    }
  });

  it('checks only that the dashboard refuses anonymous requests when no token is given', async () => {
    api = await startFakeApi();
    const result = await smoke([`${api.url}/`]);
    expect(result.stdout).toContain('SKIP GET /financial/dashboard with a token (none given)');
    expect(result.stdout).toMatch(/^5 passed, 0 failed$/m);
    expect(result.code).toBe(0);
  });

  it('fails when the token is refused', async () => {
    api = await startFakeApi({ token: 'good' });
    const result = await smoke([api.url, 'stale']);
    expect(verdicts(result.stdout)).toContain('FAIL GET /financial/dashboard status=401 (want 200)');
    expect(result.stdout).toMatch(/^5 passed, 2 failed$/m);
    expect(result.code).toBe(1);
  });

  it('fails an unhealthy API on /health and /health/ready but still runs every check', async () => {
    api = await startFakeApi({ unhealthy: true });
    const result = await smoke([api.url]);
    const lines = verdicts(result.stdout);
    expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([
      'FAIL GET /health status=503 (want 200)',
      'FAIL GET /health/ready status=503 (want 200)',
    ]);
    expect(lines).toHaveLength(5);
    expect(result.code).toBe(1);
  });

  it('fails when the dashboard JSON lacks a documented field, and says what it got', async () => {
    api = await startFakeApi({ token: 't', dashboardWithoutBudgets: true });
    const result = await smoke([api.url, 't']);
    const line = verdicts(result.stdout).find((l) =>
      l.startsWith('FAIL GET /financial/dashboard status=200'),
    );
    expect(line).toContain('unexpected JSON: {"financial_summary"');
    expect(result.code).toBe(1);
  });

  it('fails when /metrics lacks the request histogram', async () => {
    api = await startFakeApi({ metricsWithoutHistogram: true });
    const result = await smoke([api.url]);
    expect(verdicts(result.stdout)).toContain(
      'FAIL GET /metrics status=200 content-type=text/plain; version=0.0.4; charset=utf-8 (want 200 text/plain with http_request_duration_seconds)',
    );
    expect(result.code).toBe(1);
  });

  it('gives up on an API that never answers after SMOKE_WAIT_SECONDS', async () => {
    const started = Date.now();
    const result = await smoke(['http://127.0.0.1:9'], { SMOKE_WAIT_SECONDS: '2' });
    expect(verdicts(result.stdout)).toEqual([
      'FAIL GET /health/live: no answer from http://127.0.0.1:9 within 2s',
    ]);
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('prints usage and exits 2 without a URL', async () => {
    const result = await smoke([]);
    expect(result.stdout).toContain('Usage: ci/smoke-test.sh <base-url> [token]');
    expect(result.code).toBe(2);
  });
});
