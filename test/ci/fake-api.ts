import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the findash API, ONLY for testing the ci/ scripts (smoke-test.sh, load-test.sh): it serves the
 * handful of endpoints those scripts call with the documented status codes and JSON shapes, and can be told to
 * misbehave. It is not a model of the API and must not be used to test API behaviour (test/app does that
 * against the real server).
 */
export interface FakeApiOptions {
  /** The bearer token /financial/dashboard accepts. */
  token?: string;
  /** Answer /health and /health/ready with 503 unhealthy. */
  unhealthy?: boolean;
  /** Leave the request histogram out of /metrics. */
  metricsWithoutHistogram?: boolean;
  /** Answer /metrics 404, as the API port does when metrics have a listener of their own (METRICS_PORT). */
  metricsElsewhere?: boolean;
  /** Leave `budget_statuses` out of the dashboard. */
  dashboardWithoutBudgets?: boolean;
  /** Delay every response by this many milliseconds. */
  delayMs?: number;
  /** Answer /financial/dashboard 429 once it has been served this many times (a tenant's rate limit). */
  rateLimitAfter?: number;
}

export interface FakeApi {
  url: string;
  /** Requests served so far, by path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  contentType?: string;
  body: unknown;
}

const unauthorized: Reply = {
  status: 401,
  body: { statusCode: 401, error: 'Unauthorized', message: 'missing or invalid token' },
};

export async function startFakeApi(options: FakeApiOptions = {}): Promise<FakeApi> {
  const token = options.token ?? 'test-token';
  const hits = new Map<string, number>();
  const health = () =>
    options.unhealthy
      ? { status: 'unhealthy', checks: { database: { status: 'down', detail: 'connection refused' } } }
      : { status: 'healthy', checks: { database: { status: 'up' }, cache: { status: 'up' } } };

  const route = (path: string, authorized: boolean): Reply => {
    switch (path) {
      case '/health/live':
        return { status: 200, body: { status: 'alive' } };
      case '/health':
      case '/health/ready':
        return { status: options.unhealthy ? 503 : 200, body: health() };
      case '/metrics': {
        if (options.metricsElsewhere) return { status: 404, body: { statusCode: 404, message: 'Not Found' } };
        const histogram = options.metricsWithoutHistogram
          ? ''
          : '# TYPE http_request_duration_seconds histogram\n' +
            'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/health",status_code="200"} 1\n';
        return {
          status: 200,
          contentType: 'text/plain; version=0.0.4; charset=utf-8',
          body: `# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1\n${histogram}`,
        };
      }
      case '/financial/dashboard': {
        if (!authorized) return unauthorized;
        if (options.rateLimitAfter !== undefined && (hits.get(path) ?? 0) > options.rateLimitAfter) {
          return {
            status: 429,
            body: { statusCode: 429, error: 'Too Many Requests', message: 'rate limit' },
          };
        }
        const dashboard: Record<string, unknown> = {
          financial_summary: { total_balance: '100.00' },
          account_summaries: [],
          transaction_summary: { total_transactions: 0 },
          budget_statuses: [],
          tenant_info: { name: 'ci-smoke', type: 'organization' },
        };
        if (options.dashboardWithoutBudgets) delete dashboard.budget_statuses;
        return { status: 200, body: dashboard };
      }
      case '/financial/dashboard/summary':
        if (!authorized) return unauthorized;
        return { status: 200, body: { total_balance: '100.00', total_accounts: 0, active_accounts: 0 } };
      default:
        return { status: 404, body: { statusCode: 404, error: 'Not Found', message: `no route ${path}` } };
    }
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const send = () => {
      const reply = route(path, req.headers.authorization === `Bearer ${token}`);
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json; charset=utf-8' });
      res.end(text);
    };
    if (options.delayMs) setTimeout(send, options.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
