import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

import accountRoutes from './accounts.js';
import budgetRoutes from './budgets.js';
import transactionRoutes from './transactions.js';
import transferRoutes from './transfers.js';

/** The ledger (write side): accounts, transactions, transfers, budgets under /financial. */
const ledgerRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  await fastify.register(accountRoutes);
  await fastify.register(transactionRoutes);
  await fastify.register(transferRoutes);
  await fastify.register(budgetRoutes);
};

export default ledgerRoutes;
