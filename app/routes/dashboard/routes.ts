import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';

import { acceptsGzip, gzipOnce } from '../../cache/gzip-once.js';
import { can } from '../../domain/auth/roles.js';
import { accountSummaries } from '../../domain/dashboard/accounts.js';
import { budgetStatuses } from '../../domain/dashboard/budgets.js';
import { fullDashboard } from '../../domain/dashboard/dashboard.js';
import { secondsLeftInTenantDay } from '../../domain/dashboard/sql-parts.js';
import { financialSummary } from '../../domain/dashboard/summary.js';
import { transactionSummary } from '../../domain/dashboard/transactions.js';
import { parseTimeRange, rangeKey } from '../../domain/time-range.js';
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
const JSON_BODY = { 'content-type': 'application/json; charset=utf-8', vary: 'accept-encoding' };
const GZIP_JSON = { ...JSON_BODY, 'content-encoding': 'gzip' };
const RANGE_NOTE = `Optional from/to restrict it to a time range. ${RANGE_RULE}.`;

/**
 * Descriptions are free text: a viewer (dashboard:read only) gets recent transactions without
 * them, roles with transactions:read get them. The cache key says which, so one role's cached
 * answer is never served to the other.
 */
function descriptions(request: FastifyRequest): { includeDescriptions: boolean; key: string } {
  const includeDescriptions = can(request.actor.role, 'transactions:read');
  return { includeDescriptions, key: includeDescriptions ? 'full' : 'redacted' };
}

/**
 * GET /financial/dashboard and its parts, all for the authenticated tenant with dashboard:read.
 * Every answer is computed in one read-only tenant-scoped transaction from the rollups and
 * cached per tenant (writes invalidate it).
 */
const dashboardRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const readOnly = { readOnly: true };

  /**
   * Serves the cached JSON bytes as they are (a hit costs no parse, no re-serialization and no
   * re-encoding); a miss computes in one read-only tenant-scoped transaction, stores and sends
   * the same bytes. The domain objects have exactly the response schemas' shape, so
   * JSON.stringify produces what the schema serializer would. Every answer depends on the
   * tenant's calendar ("this month", budgets in effect today), so it is cached no later than
   * the tenant's next midnight.
   */
  function cached(
    request: FastifyRequest,
    reply: FastifyReply,
    suffix: string,
    compute: (trx: Knex.Transaction) => Promise<unknown>,
  ): Promise<void> {
    const { dashboardCache } = fastify;
    return dashboardCache
      .getOrComputeBody(request.actor, suffix, () =>
        request.withTenant(
          async (trx) => ({
            json: JSON.stringify(await compute(trx)),
            maxAgeSeconds: secondsLeftInTenantDay(trx),
          }),
          readOnly,
        ),
      )
      .then((body) => {
        // Cached bodies are compressed once and reused; uncached ones go out as they are.
        if (
          dashboardCache.ttlSeconds > 0 &&
          body.byteLength > 1024 &&
          acceptsGzip(request.headers['accept-encoding'])
        ) {
          void reply.headers(GZIP_JSON).send(gzipOnce(body));
        } else {
          void reply.headers(JSON_BODY).send(body);
        }
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
      const range = parseTimeRange(request.query);
      const { includeDescriptions, key } = descriptions(request);
      return cached(request, reply, `dashboard:${rangeKey(range)}:${key}`, (trx) =>
        fullDashboard(trx, request.query, { includeDescriptions }),
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
    (request, reply) => {
      const range = parseTimeRange(request.query);
      return cached(request, reply, `summary:${rangeKey(range)}`, (trx) =>
        financialSummary(trx, request.query),
      );
    },
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
    (request, reply) => cached(request, reply, 'accounts::', (trx) => accountSummaries(trx)),
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
      const range = parseTimeRange(request.query);
      const { includeDescriptions, key } = descriptions(request);
      return cached(request, reply, `transactions:${rangeKey(range)}:${key}`, (trx) =>
        transactionSummary(trx, request.query, { includeDescriptions }),
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
    (request, reply) => {
      const range = parseTimeRange(request.query);
      return cached(request, reply, `budgets:${rangeKey(range)}`, (trx) =>
        budgetStatuses(trx, request.query),
      );
    },
  );
};

export default dashboardRoutes;
