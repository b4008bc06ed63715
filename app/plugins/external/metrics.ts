import type { onSendHookHandler } from 'fastify';
import fp from 'fastify-plugin';

import {
  AppMetrics,
  FASTIFY_REQUEST,
  type LinkedRequest,
  UNMATCHED_ROUTE,
} from '../../metrics/app-metrics.js';
import { listenMetrics, type MetricsServer } from '../../metrics/metrics-server.js';
import { asArray } from '../../http/route-hooks.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics;
  }
  interface FastifyRequest {
    /** performance.now() when the request reached the app's hooks (for http_request_duration_seconds). */
    startedAt: number;
  }
}

export default fp(
  async (fastify) => {
    const metrics = new AppMetrics();
    fastify.decorate('metrics', metrics);

    // Observed when the answer is handed to Node (onSend), from a start stamped by the first
    // onRequest hook here, not in onResponse: any onResponse hook makes Fastify add and remove
    // 'finish' and 'error' listeners on every response, which costs more (measured) than the
    // observation itself. Left out is only the synchronous hand-over of the bytes to the socket.
    // Each route's hook knows its template (reading request.routeOptions builds an object on
    // every call); the app-wide one records what no route matched.
    fastify.decorateRequest('startedAt', 0);
    fastify.addHook('onRequest', (request, _reply, done) => {
      request.startedAt = performance.now();
      (request.raw as LinkedRequest)[FASTIFY_REQUEST] = request;
      done();
    });
    fastify.addHook('onRoute', (route) => {
      const url = route.url;
      const observe: onSendHookHandler = (request, reply, payload, done) => {
        metrics.observeRequest(request, url, reply.statusCode);
        done(null, payload);
      };
      route.onSend = [...asArray(route.onSend), observe];
    });
    fastify.addHook('onSend', (request, reply, payload, done) => {
      if (request.is404) metrics.observeRequest(request, UNMATCHED_ROUTE, reply.statusCode);
      done(null, payload);
    });

    // With METRICS_PORT set, the scrape has a listener of its own (app/metrics/metrics-server.ts), opened when the API
    // server listens and closed with it, and the API port has no /metrics: nothing the Ingress routes reaches it.
    const { METRICS_PORT, HOST } = fastify.config;
    if (METRICS_PORT === undefined) {
      fastify.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
        const body = await metrics.render();
        return reply.type(metrics.registry.contentType).send(body);
      });
    } else {
      let server: MetricsServer | null = null;
      fastify.addHook('onListen', async () => {
        server ??= await listenMetrics(metrics, { host: HOST, port: METRICS_PORT });
        fastify.log.info({ port: server.port }, 'metrics listening');
      });
      fastify.addHook('onClose', async () => {
        await server?.close();
      });
    }
  },
  { name: 'metrics', dependencies: ['config'] },
);
