import { describe, expect, it } from '@jest/globals';
import { Histogram, Registry } from 'prom-client';

import { RequestDurations } from '../../app/metrics/request-durations.js';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** method, route, status, seconds: on bucket bounds, between them and above the last. */
const OBSERVATIONS: Array<[string, string, number, number]> = [
  ['GET', '/financial/dashboard/', 200, 0.0004],
  ['GET', '/financial/dashboard/', 200, 0.001],
  ['GET', '/financial/dashboard/', 200, 0.0031],
  ['GET', '/financial/dashboard/', 304, 0.2],
  ['GET', '/financial/dashboard/', 200, 12],
  ['POST', '/financial/transactions', 201, 0.04],
  ['POST', '/financial/transactions', 422, 0.002],
  ['GET', 'unmatched', 404, 0.0001],
  ['HEAD', '/health/live', 200, 0.00005],
];

describe('RequestDurations (http_request_duration_seconds)', () => {
  it("exposes exactly what prom-client's own Histogram exposes for the same observations", async () => {
    const reference = new Registry();
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: BUCKETS,
      registers: [reference],
    });
    const ours = new Registry();
    const durations = new RequestDurations(BUCKETS);
    ours.registerMetric(durations.asRegistryMetric());

    for (const [method, route, status, seconds] of OBSERVATIONS) {
      histogram.observe({ method, route, status_code: String(status) }, seconds);
      durations.observe(method, route, status, seconds);
    }

    const lines = (text: string): string[] => text.trim().split('\n').sort();
    expect(lines(await ours.metrics())).toEqual(lines(await reference.metrics()));
    expect(await ours.metrics()).toContain(
      'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/financial/dashboard/",status_code="200"} 3',
    );
  });

  it('starts empty again after reset (as Registry.resetMetrics expects)', async () => {
    const registry = new Registry();
    const durations = new RequestDurations(BUCKETS);
    registry.registerMetric(durations.asRegistryMetric());
    durations.observe('GET', '/health/live', 200, 0.001);
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('http_request_duration_seconds_count');
  });
});
