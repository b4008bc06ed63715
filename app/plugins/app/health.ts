import fp from 'fastify-plugin';

import { runHealthChecks, type HealthCheck, type HealthReport } from '../../http/health-checks.js';

declare module 'fastify' {
  interface FastifyInstance {
    addHealthCheck(check: HealthCheck): void;
    runHealthChecks(): Promise<HealthReport>;
    /** Set when shutdown starts, so readiness fails and the load balancer drains this instance. */
    shuttingDown: boolean;
  }
}

export default fp(
  async (fastify) => {
    const checks: HealthCheck[] = [];
    fastify.decorate('shuttingDown', false);
    fastify.decorate('addHealthCheck', (check: HealthCheck) => {
      checks.push(check);
    });
    fastify.decorate('runHealthChecks', () => runHealthChecks(checks));
    fastify.addHealthCheck({
      name: 'database',
      critical: true,
      run: async () => {
        await fastify.db.raw('select 1');
        return { status: 'up' };
      },
    });
  },
  { name: 'health', dependencies: ['db'] },
);
