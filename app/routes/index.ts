import type { FastifyPluginAsync } from 'fastify';

import adminTenantRoutes from './admin/tenants.js';
import dashboardRoutes from './dashboard/index.js';
import healthRoutes from './health/index.js';
import ledgerRoutes from './ledger/index.js';
import sessionRoutes from './session/index.js';

/** Every route of the API. Route files hold schemas and HTTP concerns; logic lives in domain/. */
const routes: FastifyPluginAsync = async (fastify) => {
  await fastify.register(healthRoutes);
  await fastify.register(adminTenantRoutes);
  await fastify.register(dashboardRoutes, { prefix: '/financial/dashboard' });
  await fastify.register(ledgerRoutes);
  await fastify.register(sessionRoutes);
};

export default routes;
