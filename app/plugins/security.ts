import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify from 'fastify';
import fp from 'fastify-plugin';

/**
 * Security headers (helmet) and request deadlines.
 *
 * The CSP keeps helmet's defaults, which the OpenAPI UI at /docs already satisfies (its
 * scripts and styles are served from /docs itself), minus upgrade-insecure-requests: plain-HTTP
 * development and in-cluster probes must not have their sub-resources rewritten to https.
 * HSTS is harmless on plain HTTP (browsers ignore it there) and right behind the TLS ingress.
 *
 * Helmet's headers are static for these options, so they are computed once at start-up (helmet
 * answering one request on a throwaway instance) and set with one call per response: helmet's
 * own hooks cost about as much as a small route itself (measured: 74k → 34k req/s).
 *
 * Deadlines: BODY_LIMIT_BYTES (413) and REQUEST_TIMEOUT_MS for receiving a request are server
 * options (build.ts); here every route also gets a handler deadline of REQUEST_TIMEOUT_MS, so a
 * request stuck on a dependency is answered 503 instead of holding its client and connection.
 */
export default fp(
  async (fastify) => {
    const headers = await helmetHeaders({
      global: true,
      contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } },
      crossOriginEmbedderPolicy: false,
    });
    fastify.addHook('onRequest', async (_request, reply) => {
      void reply.headers(headers);
    });
    const timeout = fastify.config.REQUEST_TIMEOUT_MS;
    fastify.addHook('onRoute', (route) => {
      if (timeout > 0 && route.handlerTimeout === undefined) route.handlerTimeout = timeout;
    });
  },
  { name: 'security', dependencies: ['config'] },
);

/** The response headers helmet sets with these options, read off one request it answers. */
async function helmetHeaders(options: FastifyHelmetOptions): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  await probe.register(helmet, options);
  probe.get('/', async () => '');
  const response = await probe.inject({ url: '/' });
  await probe.close();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value !== 'string') continue;
    if (['content-type', 'content-length', 'date', 'connection', 'keep-alive'].includes(name)) continue;
    headers[name] = value;
  }
  return headers;
}
