import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

/**
 * Security headers (helmet) and request deadlines.
 *
 * The CSP keeps helmet's defaults, which the OpenAPI UI at /docs already satisfies (its
 * scripts and styles are served from /docs itself), minus upgrade-insecure-requests: plain-HTTP
 * development and in-cluster probes must not have their sub-resources rewritten to https.
 * HSTS is harmless on plain HTTP (browsers ignore it there) and right behind the TLS ingress.
 *
 * Deadlines: BODY_LIMIT_BYTES (413) and REQUEST_TIMEOUT_MS for receiving a request are server
 * options (build.ts); here every route also gets a handler deadline of REQUEST_TIMEOUT_MS, so a
 * request stuck on a dependency is answered 503 instead of holding its client and connection.
 */
export default fp(
  async (fastify) => {
    await fastify.register(helmet, {
      global: true,
      contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } },
      crossOriginEmbedderPolicy: false,
    });
    const timeout = fastify.config.REQUEST_TIMEOUT_MS;
    fastify.addHook('onRoute', (route) => {
      if (timeout > 0 && route.handlerTimeout === undefined) route.handlerTimeout = timeout;
    });
  },
  { name: 'security', dependencies: ['config'] },
);
