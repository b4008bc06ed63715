import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

const Check = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('degraded'), Type.Literal('down')]),
  detail: Type.Optional(Type.String()),
  latency_ms: Type.Optional(Type.Integer()),
});
const Health = Type.Object({
  status: Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('unhealthy')]),
  checks: Type.Record(Type.String(), Check),
});

/** GET /health (200 healthy|degraded, 503 unhealthy), /health/live and /health/ready for probes. */
const healthRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        operationId: 'getHealth',
        summary: 'Health with per-dependency checks',
        description: '200 when healthy or degraded (an optional dependency is down), 503 when unhealthy.',
        security: [],
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const { healthy, degraded, checks } = await fastify.runHealthChecks();
      const status = !healthy ? 'unhealthy' : degraded ? 'degraded' : 'healthy';
      return reply.code(healthy ? 200 : 503).send({ status, checks });
    },
  );
  fastify.get(
    '/health/live',
    {
      schema: {
        tags: ['health'],
        operationId: 'getLiveness',
        summary: 'Liveness probe',
        description: 'The process is serving; checks no dependency.',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('alive') }) },
      },
    },
    async () => ({ status: 'alive' as const }),
  );
  fastify.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        operationId: 'getReadiness',
        summary: 'Readiness probe',
        description: 'The health checks, and 503 from the start of a shutdown so traffic drains away.',
        security: [],
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      if (fastify.shuttingDown) {
        return reply
          .code(503)
          .send({ status: 'unhealthy', checks: { shutdown: { status: 'down', detail: 'shutting down' } } });
      }
      const { healthy, degraded, checks } = await fastify.runHealthChecks();
      return reply
        .code(healthy ? 200 : 503)
        .send({ status: !healthy ? 'unhealthy' : degraded ? 'degraded' : 'healthy', checks });
    },
  );
};

export default healthRoutes;
