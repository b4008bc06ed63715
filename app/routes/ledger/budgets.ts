import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

import {
  createBudget,
  deleteBudget,
  getBudget,
  listBudgets,
  updateBudget,
} from '../../domain/ledger/budgets.js';
import {
  Amount,
  BudgetResponse,
  BoundedDate,
  Category,
  Currency,
  Cursor,
  IdParams,
  Limit,
  Name,
  PageOf,
} from './schemas.js';
import { errorResponses, JSON_BODY, TENANT_ROUTE } from '../responses.js';

const tags = ['budgets'];
const write = { permission: 'ledger:write' as const };
const read = { permission: 'ledger:read' as const };

const BudgetFields = {
  name: Name,
  category: Type.Union([Category, Type.Null()], { description: 'null (or absent) = all expenses' }),
  currency: Currency,
  total_amount: Amount,
  start_date: BoundedDate,
  end_date: BoundedDate,
};

/** /financial/budgets: spending plans per period; spending against them is on the dashboard. */
const budgetRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/financial/budgets',
    {
      links: {
        201: {
          GetBudget: { operationId: 'getBudget', parameters: { 'path.id': '$response.body#/id' } },
          UpdateBudget: { operationId: 'updateBudget', parameters: { 'path.id': '$response.body#/id' } },
          DeleteBudget: { operationId: 'deleteBudget', parameters: { 'path.id': '$response.body#/id' } },
        },
      },
      config: write,
      schema: {
        tags,
        operationId: 'createBudget',
        summary: 'Create a budget',
        description:
          'A spending plan for a currency and a date range (start_date ≤ end_date), for one category or, without one, all expenses. Spending is derived from posted expenses on the dashboard.',
        body: Type.Object(
          { ...BudgetFields, category: Type.Optional(BudgetFields.category) },
          { additionalProperties: false },
        ),
        response: { 201: BudgetResponse, ...errorResponses(TENANT_ROUTE, JSON_BODY) },
      },
    },
    async (request, reply) => {
      const budget = await request.withTenant((trx) => createBudget(trx, request.actor, request.body));
      return reply.code(201).header('location', `/financial/budgets/${budget.id}`).send(budget);
    },
  );

  fastify.get(
    '/financial/budgets',
    {
      config: read,
      schema: {
        tags,
        operationId: 'listBudgets',
        summary: 'List budgets, oldest first (keyset pages)',
        description:
          'Filter by category and currency; page with limit and the next_cursor of the previous page.',
        querystring: Type.Object(
          {
            category: Type.Optional(Category),
            currency: Type.Optional(Currency),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor('budgets')),
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(BudgetResponse), ...errorResponses(TENANT_ROUTE) },
      },
    },
    async (request) =>
      request.withTenant((trx) => listBudgets(trx, request.actor, request.query), { readOnly: true }),
  );

  fastify.get(
    '/financial/budgets/:id',
    {
      config: read,
      schema: {
        tags,
        operationId: 'getBudget',
        summary: 'Read a budget',
        description: 'One budget as written (its spending is on /financial/dashboard/budgets).',
        params: IdParams,
        response: { 200: BudgetResponse, ...errorResponses(TENANT_ROUTE, 404) },
      },
    },
    async (request) => request.withTenant((trx) => getBudget(trx, request.params.id), { readOnly: true }),
  );

  fastify.patch(
    '/financial/budgets/:id',
    {
      config: write,
      schema: {
        tags,
        operationId: 'updateBudget',
        summary: 'Change any of a budget’s fields (checked again as a whole)',
        description:
          'Send at least one field; the budget is checked again as a whole (e.g. start_date ≤ end_date).',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(BudgetFields.name),
            category: Type.Optional(BudgetFields.category),
            currency: Type.Optional(BudgetFields.currency),
            total_amount: Type.Optional(BudgetFields.total_amount),
            start_date: Type.Optional(BudgetFields.start_date),
            end_date: Type.Optional(BudgetFields.end_date),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: BudgetResponse, ...errorResponses(TENANT_ROUTE, JSON_BODY, 404) },
      },
    },
    async (request) =>
      request.withTenant((trx) => updateBudget(trx, request.actor, request.params.id, request.body)),
  );

  fastify.delete(
    '/financial/budgets/:id',
    {
      config: write,
      schema: {
        tags,
        operationId: 'deleteBudget',
        summary: 'Delete a budget',
        description: 'Removes the budget; transactions are not affected.',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(TENANT_ROUTE, JSON_BODY, 404) },
      },
    },
    async (request, reply) => {
      await request.withTenant((trx) => deleteBudget(trx, request.actor, request.params.id));
      return reply.code(204).send(null);
    },
  );
};

export default budgetRoutes;
