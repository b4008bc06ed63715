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
  CalendarDate,
  Category,
  Currency,
  Cursor,
  Errors,
  IdParams,
  Limit,
  Name,
  PageOf,
} from './schemas.js';

const tags = ['budgets'];
const write = { permission: 'ledger:write' as const };
const read = { permission: 'ledger:read' as const };

const BudgetFields = {
  name: Name,
  category: Type.Union([Category, Type.Null()], { description: 'null (or absent) = all expenses' }),
  currency: Currency,
  total_amount: Amount,
  start_date: CalendarDate,
  end_date: CalendarDate,
};

/** /financial/budgets: spending plans per period; spending against them is on the dashboard. */
const budgetRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/financial/budgets',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a budget',
        body: Type.Object(
          { ...BudgetFields, category: Type.Optional(BudgetFields.category) },
          { additionalProperties: false },
        ),
        response: { 201: BudgetResponse, ...Errors },
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
        summary: 'List budgets, oldest first (keyset pages)',
        querystring: Type.Object(
          {
            category: Type.Optional(Category),
            currency: Type.Optional(Currency),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(BudgetResponse), ...Errors },
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
        summary: 'Read a budget',
        params: IdParams,
        response: { 200: BudgetResponse, ...Errors },
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
        summary: 'Change any of a budget’s fields (checked again as a whole)',
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
        response: { 200: BudgetResponse, ...Errors },
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
        summary: 'Delete a budget',
        params: IdParams,
        response: { 204: Type.Null(), ...Errors },
      },
    },
    async (request, reply) => {
      await request.withTenant((trx) => deleteBudget(trx, request.actor, request.params.id));
      return reply.code(204).send(null);
    },
  );
};

export default budgetRoutes;
