import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

import dashboardReadRoutes from './routes.js';

/** The dashboard routes (mounted at /financial/dashboard by routes/index.ts). */
const dashboardRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  await fastify.register(dashboardReadRoutes);
};

export default dashboardRoutes;
