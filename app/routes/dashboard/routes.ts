import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';

import { answerKey, type DashboardView } from '../../cache/dashboard-cache.js';
import { can } from '../../domain/auth/roles.js';
import { accountsAnswer } from '../../domain/dashboard/accounts.js';
import { budgetsAnswer } from '../../domain/dashboard/budgets.js';
import { dashboardAnswer } from '../../domain/dashboard/dashboard.js';
import type { Dated } from '../../domain/dashboard/sql-parts.js';
import { summaryAnswer } from '../../domain/dashboard/summary.js';
import { transactionsAnswer } from '../../domain/dashboard/transactions.js';
import { parseTimeRange, type RangeInput } from '../../domain/time-range.js';
import {
  AccountSummarySchema,
  BudgetStatusSchema,
  FinancialSummarySchema,
  FullDashboardSchema,
  NoQuery,
  RangeQuery,
  TransactionSummarySchema,
} from './schemas.js';
import { errorResponses, TENANT_ROUTE } from '../responses.js';
import { RANGE_RULE } from '../time-range.js';
import { Type } from 'typebox';

const config = { permission: 'dashboard:read' as const };
const tags = ['dashboard'];
const RANGE_NOTE = `Optional from/to restrict it to a time range. ${RANGE_RULE}.`;
const ACCOUNTS_KEY = answerKey('accounts');

/** The cache key of a view for the from/to asked (a bad from/to is a 400 here, before any read). */
function key(view: DashboardView, query: RangeInput, descriptions?: boolean): string {
  return answerKey(view, parseTimeRange(query), descriptions);
}

/**
 * Descriptions are free text: a viewer (dashboard:read only) gets recent transactions without
 * them, roles with transactions:read get them (and the cache key says which).
 */
function withDescriptions(request: FastifyRequest): boolean {
  return can(request.actor.role, 'transactions:read');
}

/**
 * GET /financial/dashboard and its parts, all for the authenticated tenant with dashboard:read.
 * Each asks the dashboard cache (app/cache/dashboard-cache.ts) for the bytes to send; on a miss
 * the answer is read in one read-only tenant-scoped transaction from the rollups.
 */
const dashboardRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const readOnly = { readOnly: true };

  function serve(
    request: FastifyRequest,
    reply: FastifyReply,
    cacheKey: string,
    read: (trx: Knex.Transaction) => Promise<Dated<unknown>>,
  ): Promise<void> {
    return fastify.dashboardCache
      .response(request.actor, cacheKey, request.headers['accept-encoding'], () =>
        request.withTenant(read, readOnly),
      )
      .then(({ body, headers }) => {
        void reply.headers(headers).send(body);
      });
  }

  fastify.get(
    '/',
    {
      config,
      schema: {
        tags,
        operationId: 'getDashboard',
        summary: 'The whole dashboard: summary, accounts, transactions, budgets and tenant',
        description: `${RANGE_NOTE} Without from/to, budget_statuses lists only the budgets in effect today in the tenant timezone (start_date ≤ today ≤ end_date); with from/to, the budgets overlapping the range, as /financial/dashboard/budgets does. Recent transaction descriptions need transactions:read.`,
        querystring: RangeQuery,
        response: { 200: FullDashboardSchema, ...errorResponses(TENANT_ROUTE) },
      },
    },
    (request, reply) => {
      const includeDescriptions = withDescriptions(request);
      return serve(request, reply, key('dashboard', request.query, includeDescriptions), (trx) =>
        dashboardAnswer(trx, request.query, { includeDescriptions }),
      );
    },
  );

  fastify.get(
    '/summary',
    {
      config,
      schema: {
        tags,
        operationId: 'getDashboardSummary',
        summary: 'Balances per currency (and converted), counts and this month',
        description: `${RANGE_NOTE} The range applies to the transaction counts; balances are current.`,
        querystring: RangeQuery,
        response: { 200: FinancialSummarySchema, ...errorResponses(TENANT_ROUTE) },
      },
    },
    (request, reply) =>
      serve(request, reply, key('summary', request.query), (trx) => summaryAnswer(trx, request.query)),
  );

  fastify.get(
    '/accounts',
    {
      config,
      schema: {
        tags,
        operationId: 'getDashboardAccounts',
        summary: 'Every account with its balance',
        description: 'Current balances, active and inactive accounts, in their own currencies.',
        querystring: NoQuery,
        response: { 200: Type.Array(AccountSummarySchema), ...errorResponses(TENANT_ROUTE) },
      },
    },
    (request, reply) => serve(request, reply, ACCOUNTS_KEY, accountsAnswer),
  );

  fastify.get(
    '/transactions',
    {
      config,
      schema: {
        tags,
        operationId: 'getDashboardTransactions',
        summary: 'Income, expenses, categories, monthly trend and recent transactions',
        description: `${RANGE_NOTE} Descriptions of recent transactions need transactions:read.`,
        querystring: RangeQuery,
        response: { 200: TransactionSummarySchema, ...errorResponses(TENANT_ROUTE) },
      },
    },
    (request, reply) => {
      const includeDescriptions = withDescriptions(request);
      return serve(request, reply, key('transactions', request.query, includeDescriptions), (trx) =>
        transactionsAnswer(trx, request.query, { includeDescriptions }),
      );
    },
  );

  fastify.get(
    '/budgets',
    {
      config,
      schema: {
        tags,
        operationId: 'getDashboardBudgets',
        summary: 'Budgets with spending from posted expenses',
        description: `${RANGE_NOTE} With a range, budgets overlapping it are listed (their spending covers their own dates).`,
        querystring: RangeQuery,
        response: { 200: Type.Array(BudgetStatusSchema), ...errorResponses(TENANT_ROUTE) },
      },
    },
    (request, reply) =>
      serve(request, reply, key('budgets', request.query), (trx) => budgetsAnswer(trx, request.query)),
  );
};

export default dashboardRoutes;
