import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

import accountRoutes from './accounts.js';
import budgetRoutes from './budgets.js';
import { strictBodyValidatorCompiler } from './strict-validator.js';
import transactionRoutes from './transactions.js';
import transferRoutes from './transfers.js';

/**
 * The ledger (write side): accounts, transactions, transfers, budgets under /financial. Bodies
 * are validated without type coercion in this scope (see strict-validator.ts).
 */
const ledgerRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.setValidatorCompiler(strictBodyValidatorCompiler());
  await fastify.register(accountRoutes);
  await fastify.register(transactionRoutes);
  await fastify.register(transferRoutes);
  await fastify.register(budgetRoutes);
};

export default ledgerRoutes;
