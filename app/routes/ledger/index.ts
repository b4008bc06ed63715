import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** The ledger routes; each route file is registered here. */
const ledgerRoutes: FastifyPluginAsyncTypebox = async () => {};

export default ledgerRoutes;
