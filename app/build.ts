import type { IncomingMessage } from 'node:http';

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';

import app, { type AppOptions } from './app.js';
import { RAW_REQUEST_ID } from './http/request-deadline.js';
import { sendError } from './http/error-response.js';
import type { SecurityHeaders } from './plugins/external/security.js';
import { traceLogMixin } from './plugins/external/tracing.js';
import { clientRequestId, requestIds } from './request-ids.js';
import { strictBodyValidatorCompiler } from './validation.js';

/**
 * Creates the Fastify instance with the server-level options (logging, limits, request ids)
 * and registers the app plugin. Used by server.ts, the tests and the benchmark.
 */
export async function buildApp(options: AppOptions & { logger?: boolean }): Promise<FastifyInstance> {
  const { config } = options;
  const nextRequestId = requestIds();
  // The router answers frameworkErrors before any hook runs, so they add the API's headers themselves.
  let securityHeaders: SecurityHeaders | undefined;
  const fastify = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: config.LOG_LEVEL,
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
            mixin: traceLogMixin,
          },
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    connectionTimeout: config.REQUEST_TIMEOUT_MS,
    // Requests on connections accepted before shutdown are still served (gracefulShutdown drains them).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // genReqId reads X-Request-Id itself: Fastify's requestIdHeader would take any value as it is.
    requestIdHeader: false,
    // The router's own refusals (a malformed URL, a path parameter longer than any valid one)
    // get the one error shape as a 400 like any other bad input, not Fastify's bare 400/414.
    frameworkErrors: (error, request, reply) => {
      void sendError(request, reply.headers(securityHeaders?.api ?? {}).header('x-request-id', request.id), {
        statusCode: 400,
        message:
          error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? 'a path parameter is longer than any valid value'
            : 'the URL is not valid',
      });
    },
    // Kept on the raw request too, for the deadline answer written outside Fastify (deadlines.ts).
    genReqId: (req) =>
      ((req as IncomingMessage & { [RAW_REQUEST_ID]?: string })[RAW_REQUEST_ID] =
        clientRequestId(req.headers['x-request-id']) ?? nextRequestId()),
  }).withTypeProvider<TypeBoxTypeProvider>();
  fastify.setValidatorCompiler(strictBodyValidatorCompiler());
  fastify.addHook('onReady', function (this: FastifyInstance, done) {
    securityHeaders = this.securityHeaders;
    done();
  });
  await fastify.register(app, options);
  return fastify;
}
