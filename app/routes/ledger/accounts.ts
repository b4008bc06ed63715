import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

import {
  createAccount,
  deactivateAccount,
  deleteAccount,
  getAccount,
  listAccounts,
  updateAccount,
} from '../../domain/ledger/accounts.js';
import {
  AccountResponse,
  AccountType,
  Currency,
  Cursor,
  Errors,
  IdParams,
  Limit,
  Name,
  PageOf,
} from './schemas.js';

const tags = ['accounts'];
const write = { permission: 'ledger:write' as const };
const read = { permission: 'ledger:read' as const };

/**
 * /financial/accounts: create, list, read, update (name, type, active flag), deactivate, and
 * delete while the account has no transactions. Writes invalidate the tenant's dashboard cache
 * after they commit and before the reply, so the next dashboard read sees them.
 */
const accountRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/financial/accounts',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create an account (balance starts at 0)',
        body: Type.Object(
          { name: Name, account_type: AccountType, currency: Currency },
          { additionalProperties: false },
        ),
        response: { 201: AccountResponse, ...Errors },
      },
    },
    async (request, reply) => {
      const account = await request.withTenant((trx) => createAccount(trx, request.actor, request.body));
      return reply.code(201).header('location', `/financial/accounts/${account.id}`).send(account);
    },
  );

  fastify.get(
    '/financial/accounts',
    {
      config: read,
      schema: {
        tags,
        summary: 'List accounts, oldest first (keyset pages)',
        querystring: Type.Object(
          {
            is_active: Type.Optional(Type.Boolean()),
            account_type: Type.Optional(AccountType),
            currency: Type.Optional(Currency),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(AccountResponse), ...Errors },
      },
    },
    async (request) =>
      request.withTenant((trx) => listAccounts(trx, request.actor, request.query), { readOnly: true }),
  );

  fastify.get(
    '/financial/accounts/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'Read an account',
        params: IdParams,
        response: { 200: AccountResponse, ...Errors },
      },
    },
    async (request) => request.withTenant((trx) => getAccount(trx, request.params.id), { readOnly: true }),
  );

  fastify.patch(
    '/financial/accounts/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Rename, retype, deactivate or reactivate an account (currency never changes)',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            account_type: Type.Optional(AccountType),
            is_active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: AccountResponse, ...Errors },
      },
    },
    async (request) =>
      request.withTenant((trx) => updateAccount(trx, request.actor, request.params.id, request.body)),
  );

  fastify.post(
    '/financial/accounts/:id/deactivate',
    {
      config: write,
      schema: {
        tags,
        summary: 'Deactivate an account: it keeps its history but takes no new transactions',
        params: IdParams,
        response: { 200: AccountResponse, ...Errors },
      },
    },
    async (request) => request.withTenant((trx) => deactivateAccount(trx, request.actor, request.params.id)),
  );

  fastify.delete(
    '/financial/accounts/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete an account that has no transactions (409 otherwise: deactivate it)',
        params: IdParams,
        response: { 204: Type.Null(), ...Errors },
      },
    },
    async (request, reply) => {
      await request.withTenant((trx) => deleteAccount(trx, request.actor, request.params.id));
      return reply.code(204).send(null);
    },
  );
};

export default accountRoutes;
