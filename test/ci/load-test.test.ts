import { afterEach, describe, expect, it } from '@jest/globals';

import { startFakeApi, type FakeApi } from './fake-api.js';
import { runScript, verdicts } from './run-script.js';

/** ci/load-test.sh against a stand-in HTTP server on 127.0.0.1 (see fake-api.ts), with both load tools. */

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const load = (args: string[], env: NodeJS.ProcessEnv) =>
  runScript('ci/load-test.sh', args, { LOAD_REQUESTS: '300', LOAD_CONNECTIONS: '5', ...env });

const metric = (stdout: string, name: string): number => {
  const match = new RegExp(`^${name}: ([0-9.]+)`, 'm').exec(stdout);
  if (!match) throw new Error(`no ${name} in:\n${stdout}`);
  return Number(match[1]);
};

describe.each(['autocannon', 'ab'])('ci/load-test.sh with %s', (tool) => {
  it('sends exactly the bounded number of requests and reports req/s, p50 and p99', async () => {
    api = await startFakeApi({ token: 'tok' });
    // Generous thresholds: this checks the script, on a machine that may be busy with other suites.
    const result = await load([api.url, 'tok'], {
      LOAD_TOOL: tool,
      LOAD_MAX_P99_MS: '2000',
      LOAD_MIN_RPS: '10',
    });
    expect(result.stdout).toContain(
      `load: 300 requests over 5 connections, GET /financial/dashboard (${tool})`,
    );
    expect(metric(result.stdout, 'req/s')).toBeGreaterThan(10);
    expect(metric(result.stdout, 'p99')).toBeGreaterThanOrEqual(metric(result.stdout, 'p50'));
    expect(verdicts(result.stdout)).toEqual([
      expect.stringMatching(/^PASS p99 [0-9.]+ ms <= 2000 ms$/),
      expect.stringMatching(/^PASS [0-9.]+ req\/s >= 10 req\/s$/),
      'PASS every request answered 2xx',
    ]);
    expect(result.code).toBe(0);
    // autocannon may finish a few in-flight requests past the amount; ab sends exactly -n.
    expect(api.hits.get('/financial/dashboard')).toBeGreaterThanOrEqual(300);
    expect(api.hits.get('/financial/dashboard')).toBeLessThanOrEqual(310);
  });

  it('fails when p99 is above the threshold', async () => {
    api = await startFakeApi({ delayMs: 30 });
    const result = await load([api.url], {
      LOAD_TOOL: tool,
      LOAD_REQUESTS: '50',
      LOAD_MAX_P99_MS: '5',
      LOAD_MIN_RPS: '1',
    });
    expect(result.stdout).toContain('load: 50 requests over 5 connections, GET /health/live');
    expect(verdicts(result.stdout)[0]).toMatch(/^FAIL p99 [0-9.]+ ms > 5 ms$/);
    expect(result.code).toBe(1);
  });

  it('with LOAD_EXPECT_RATE_LIMIT=1, passes when the limit answers 429 and fails when nothing is limited', async () => {
    api = await startFakeApi({ token: 'tok', rateLimitAfter: 20 });
    const limited = await load([api.url, 'tok'], {
      LOAD_TOOL: tool,
      LOAD_REQUESTS: '60',
      LOAD_EXPECT_RATE_LIMIT: '1',
    });
    expect(verdicts(limited.stdout)).toEqual([
      expect.stringMatching(/^PASS \d+ requests answered 429 \(the rate limit\), none failed otherwise$/),
    ]);
    expect(limited.code).toBe(0);
    await api.close();
    api = await startFakeApi({ token: 'tok' });
    const unlimited = await load([api.url, 'tok'], {
      LOAD_TOOL: tool,
      LOAD_REQUESTS: '30',
      LOAD_EXPECT_RATE_LIMIT: '1',
    });
    expect(verdicts(unlimited.stdout)[0]).toMatch(/^FAIL expected 429s from the rate limit/);
    expect(unlimited.code).toBe(1);
  });

  it('fails when requests are refused', async () => {
    api = await startFakeApi({ token: 'right' });
    const result = await load([api.url, 'wrong'], { LOAD_TOOL: tool, LOAD_REQUESTS: '50' });
    expect(verdicts(result.stdout)).toContain('FAIL 50 requests failed or answered non-2xx');
    expect(result.code).toBe(1);
  });
});
