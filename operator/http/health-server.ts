import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Registry } from 'prom-client';

/**
 * /metrics, /healthz and /readyz on OPERATOR_PORT. A plain node:http server: three routes do not
 * need Fastify, and the operator must not pull in the API's plugins.
 */
export interface Check {
  readonly ok: boolean;
  readonly detail?: string;
}

export interface HealthServerOptions {
  readonly port: number;
  readonly host: string;
  readonly registry: Registry;
  /** Liveness: false means "restart me" (e.g. the leader's watch is dead). */
  readonly healthz: () => Record<string, Check>;
  /** Readiness: configuration loaded and dependencies reachable. */
  readonly readyz: () => Promise<Record<string, Check>>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function report(res: http.ServerResponse, checks: Record<string, Check>): void {
  const ok = Object.values(checks).every((c) => c.ok);
  send(res, ok ? 200 : 503, JSON.stringify({ status: ok ? 'ok' : 'failing', checks }), 'application/json');
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'method not allowed\n', 'text/plain');
      return;
    }
    switch (path) {
      case '/metrics':
        options.registry.metrics().then(
          (text) => send(res, 200, text, options.registry.contentType),
          (err: unknown) => send(res, 500, `metrics failed: ${String(err)}\n`, 'text/plain'),
        );
        return;
      case '/healthz':
        report(res, options.healthz());
        return;
      case '/readyz':
        options.readyz().then(
          (checks) => report(res, checks),
          (err: unknown) => report(res, { readyz: { ok: false, detail: String(err) } }),
        );
        return;
      default:
        send(res, 404, 'not found: try /metrics, /healthz or /readyz\n', 'text/plain');
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
