import type { IncomingMessage } from 'node:http';

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';

import app, { type AppOptions } from './app.js';
import { RAW_REQUEST_ID } from './plugins/deadlines.js';
import { traceLogMixin } from './plugins/tracing.js';
import { clientRequestId, requestIds } from './request-ids.js';
import { strictBodyValidatorCompiler } from './validation.js';

/**
 * Creates the Fastify instance with the server-level options (logging, limits, request ids)
 * and registers the app plugin. Used by server.ts, the tests and the benchmark.
 */
export async function buildApp(options: AppOptions & { logger?: boolean }): Promise<FastifyInstance> {
  const { config } = options;
  const nextRequestId = requestIds();
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
    // Kept on the raw request too, for the deadline answer written outside Fastify (deadlines.ts).
    genReqId: (req) =>
      ((req as IncomingMessage & { [RAW_REQUEST_ID]?: string })[RAW_REQUEST_ID] =
        clientRequestId(req.headers['x-request-id']) ?? nextRequestId()),
  }).withTypeProvider<TypeBoxTypeProvider>();
  fastify.setValidatorCompiler(strictBodyValidatorCompiler());
  await fastify.register(app, options);
  return fastify;
}
