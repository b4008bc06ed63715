import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** The dashboard routes; each route file is registered here. */
const dashboardRoutes: FastifyPluginAsyncTypebox = async () => {};

export default dashboardRoutes;
