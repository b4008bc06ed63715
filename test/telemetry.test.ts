import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { bearer, startTestApp, type TestApp, type TestTenant } from './harness/app.js';
import { startOtlpSink, type OtlpSink, type ReceivedSpan } from './harness/otlp-sink.js';
import { startServerProcess, type ServerProcess } from './helpers/server-process.js';

const SERVER = 2;

function ancestors(span: ReceivedSpan, byId: Map<string, ReceivedSpan>): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  let current = byId.get(span.parentSpanId);
  while (current) {
    chain.push(current);
    current = byId.get(current.parentSpanId);
  }
  return chain;
}

/**
 * OpenTelemetry end to end: the server runs as a child process with app/telemetry.ts imported
 * first (as in the container), exporting OTLP/HTTP JSON to a local sink.
 */
describe('tracing', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let sink: OtlpSink;
  let server: ServerProcess;

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await t.createTenant();
    sink = await startOtlpSink();
    server = await startServerProcess({
      telemetry: true,
      env: {
        DATABASE_URL: t.db.appUrl,
        DATABASE_OWNER_URL: t.db.ownerUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_SERVICE_NAME: 'findash-api-test',
      },
    });
  }, 90_000);

  afterAll(async () => {
    await server.signal('SIGTERM');
    await sink.close();
    await t.close();
  });

  it('traces a dashboard request with its database queries under the request span', async () => {
    const res = await fetch(`${server.url}/financial/dashboard`, { headers: bearer(tenant.tokens.viewer) });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');

    const spans = await sink.waitFor('dashboard request with pg spans', (all) => {
      const root = all.find(
        (s) => s.kind === SERVER && s.attributes['http.route'] === '/financial/dashboard',
      );
      return !!root && all.some((s) => s.traceId === root.traceId && s.scope.includes('pg'));
    });
    const root = spans.find(
      (s) => s.kind === SERVER && s.attributes['http.route'] === '/financial/dashboard',
    ) as ReceivedSpan;
    expect(root.service).toBe('findash-api-test');
    expect(root.scope).toBe('@opentelemetry/instrumentation-http');
    const trace = spans.filter((s) => s.traceId === root.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const queries = trace.filter(
      (s) => s.scope.includes('pg') && typeof s.attributes['db.query.text'] === 'string',
    );
    expect(queries.length).toBeGreaterThanOrEqual(2);
    expect(
      queries.some((q) => /transaction_rollups_monthly/.test(String(q.attributes['db.query.text']))),
    ).toBe(true);
    for (const query of queries) {
      expect(ancestors(query, byId).map((s) => s.spanId)).toContain(root.spanId);
    }
    // Fastify's own spans (the route handler) sit between the two.
    expect(trace.some((s) => s.scope === '@fastify/otel')).toBe(true);
    expect(trace.some((s) => s.attributes['findash.tenant_id'] === tenant.id)).toBe(true);

    // The request's log lines carry its trace id.
    const lines = server.logs().filter((line) => (line.reqId ?? line.request_id) === requestId);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.trace_id === root.traceId && typeof line.span_id === 'string')).toBe(
      true,
    );
  });

  it('does not trace scrapes and probes', async () => {
    await fetch(`${server.url}/metrics`);
    await fetch(`${server.url}/health/live`);
    await fetch(`${server.url}/financial/dashboard/summary`, { headers: bearer(tenant.tokens.viewer) });
    await sink.waitFor('the summary request', (all) =>
      all.some((s) => s.attributes['http.route'] === '/financial/dashboard/summary'),
    );
    const paths = sink.spans.map((s) =>
      String(s.attributes['url.path'] ?? s.attributes['http.target'] ?? s.attributes['http.route'] ?? ''),
    );
    expect(paths.filter((p) => p.startsWith('/metrics') || p.startsWith('/health'))).toEqual([]);
  });
});
