import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { AppMetrics } from './app-metrics.js';

/**
 * The scrape endpoint on a port of its own (METRICS_PORT): GET /metrics answers the app's registry, every
 * other request 404. The Service exposes this port to Prometheus under its own name; the Ingress routes only
 * to the API port, so neither the metrics nor the database statistics behind them are public.
 */
export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function listenMetrics(
  metrics: AppMetrics,
  options: { readonly host: string; readonly port: number },
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.render().then(
      (body) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
  // A scrape is one short request: no keep-alive connections left holding up shutdown.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
