import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const checkAlerts = fileURLToPath(new URL('../../monitoring/check-alerts.sh', import.meta.url));
const healthCheck = fileURLToPath(new URL('../../monitoring/health-check.sh', import.meta.url));

interface Reply {
  status: number;
  body: string;
  type?: string;
}

/**
 * A stand-in on 127.0.0.1 for the two HTTP APIs the scripts read: Prometheus' /api/v1/alerts and the findash
 * API's health and metrics endpoints. Each test sets the replies it needs.
 */
let replies: Record<string, Reply> = {};
let server: Server;
let base: string;

function run(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [script, ...args],
      { env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function alertsReply(alerts: readonly object[]): Reply {
  return {
    status: 200,
    type: 'application/json',
    body: JSON.stringify({ status: 'success', data: { alerts } }),
  };
}

function alert(
  name: string,
  severity: string,
  state: 'firing' | 'pending',
  extra: Record<string, string> = {},
): object {
  return {
    labels: { alertname: name, severity, namespace: 'findash-prod', ...extra },
    annotations: { summary: `${name} summary`, description: 'd', runbook_url: 'https://example.invalid/r' },
    state,
    activeAt: '2026-01-01T10:00:00Z',
    value: '1e+00',
  };
}

const healthyApi: Record<string, Reply> = {
  '/health': {
    status: 200,
    type: 'application/json',
    body: '{"status":"healthy","checks":{"database":"ok"}}',
  },
  '/health/ready': { status: 200, type: 'application/json', body: '{"status":"ready"}' },
  '/metrics': {
    status: 200,
    type: 'text/plain; version=0.0.4',
    body:
      '# HELP http_request_duration_seconds request latency\n# TYPE http_request_duration_seconds histogram\n' +
      'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/health",status_code="200"} 1\n',
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const reply = replies[(req.url ?? '/').split('?')[0]!];
    if (reply === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(reply.status, { 'content-type': reply.type ?? 'text/plain' }).end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  replies = {};
});

describe('monitoring/check-alerts.sh', () => {
  it('says nothing is firing and exits 0 when Prometheus has no alerts', async () => {
    replies['/api/v1/alerts'] = alertsReply([]);
    const r = await run(checkAlerts, [base]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('OK: no alerts firing (0 pending)');
  });

  it('lists firing warnings and exits 0; pending alerts, even critical ones, are not firing yet', async () => {
    replies['/api/v1/alerts'] = alertsReply([
      alert('FindashCacheHitRatioLow', 'warning', 'firing', { cache: 'dashboard' }),
      alert('FindashApiHighErrorRate', 'critical', 'pending'),
    ]);
    const r = await run(checkAlerts, [`${base}/`]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toEqual([
      'FIRING warning  FindashCacheHitRatioLow {namespace="findash-prod", cache="dashboard"} since 2026-01-01T10:00:00Z - FindashCacheHitRatioLow summary',
      '1 firing (0 critical), 1 pending',
    ]);
  });

  it('exits 1 when a critical alert fires, listing critical alerts first', async () => {
    replies['/api/v1/alerts'] = alertsReply([
      alert('FindashOutboxBacklog', 'warning', 'firing'),
      alert('FindashApiDown', 'critical', 'firing', { pod: 'findash-api-0' }),
    ]);
    const r = await run(checkAlerts, [base]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^FIRING critical +FindashApiDown \{namespace="findash-prod", pod="findash-api-0"\} .* - FindashApiDown summary$/,
    );
    expect(lines[1]).toMatch(/^FIRING warning +FindashOutboxBacklog /);
    expect(lines[2]).toBe('2 firing (1 critical), 0 pending');
  });

  it('reads the URL from PROMETHEUS_URL when no argument is given', async () => {
    replies['/api/v1/alerts'] = alertsReply([alert('FindashOperatorNoLeader', 'critical', 'firing')]);
    const r = await run(checkAlerts, [], { PROMETHEUS_URL: base });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FindashOperatorNoLeader');
  });

  it('exits 2 when Prometheus cannot be reached or does not answer the alerts API', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const unreachable = await run(checkAlerts, [deadUrl]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain(`cannot query ${deadUrl}/api/v1/alerts`);

    replies['/api/v1/alerts'] = { status: 200, body: '<html>a login page</html>' };
    const notJson = await run(checkAlerts, [base]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('did not answer JSON');

    replies['/api/v1/alerts'] = { status: 503, body: 'unavailable' };
    const httpError = await run(checkAlerts, [base]);
    expect(httpError.code).toBe(2);
  });
});

describe('monitoring/health-check.sh', () => {
  it('prints one PASS per endpoint and exits 0 for a healthy API', async () => {
    replies = { ...healthyApi };
    const r = await run(healthCheck, [base]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      `PASS GET ${base}/health -> 200 healthy`,
      `PASS GET ${base}/health/ready -> 200`,
      `PASS GET ${base}/metrics -> 200 with http_request_duration_seconds`,
    ]);
  });

  it('fails with the dependency report when /health is unhealthy and readiness is 503', async () => {
    replies = {
      ...healthyApi,
      '/health': { status: 503, body: '{"status":"unhealthy","checks":{"database":"down"}}' },
      '/health/ready': { status: 503, body: '{"status":"not ready"}' },
    };
    const r = await run(healthCheck, [base]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      `FAIL GET ${base}/health -> 503 {"status":"unhealthy","checks":{"database":"down"}}`,
    );
    expect(lines[1]).toBe(`FAIL GET ${base}/health/ready -> 503`);
    expect(lines[2]).toMatch(/^PASS .*\/metrics/);
  });

  it('fails when /health answers 200 without saying healthy, or /metrics lacks the request histogram', async () => {
    replies = {
      ...healthyApi,
      '/health': { status: 200, body: '{"status":"degraded"}' },
      '/metrics': {
        status: 200,
        body: '# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1\n',
      },
    };
    const r = await run(healthCheck, [base]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL GET ${base}/health -> 200 {"status":"degraded"}`);
    expect(r.stdout).toContain(`PASS GET ${base}/health/ready -> 200`);
    expect(r.stdout).toContain(
      `FAIL GET ${base}/metrics -> 200 but no http_request_duration_seconds histogram`,
    );
  });

  it('reports every check as failed when nothing answers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await run(healthCheck, [deadUrl]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      `FAIL GET ${deadUrl}/health -> no answer`,
      `FAIL GET ${deadUrl}/health/ready -> no answer`,
      `FAIL GET ${deadUrl}/metrics -> no answer`,
    ]);
  });

  it('resolves an environment name to its URL, which FINDASH_<ENV>_URL can override', async () => {
    replies = { ...healthyApi };
    const r = await run(healthCheck, ['staging'], { FINDASH_STAGING_URL: base });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`PASS GET ${base}/health -> 200 healthy`);
  });

  it('exits 2 with usage for an unknown environment, and for production without a URL', async () => {
    const unknown = await run(healthCheck, ['qa']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown environment 'qa'");
    expect(unknown.stderr).toContain('Usage: monitoring/health-check.sh <env|base-url>');

    const production = await run(healthCheck, ['production'], { FINDASH_PRODUCTION_URL: '' });
    expect(production.code).toBe(2);
    expect(production.stderr).toContain('set FINDASH_PRODUCTION_URL');
  });
});
