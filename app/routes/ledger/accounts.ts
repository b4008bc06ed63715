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
import { AccountResponse, AccountType, Currency, Cursor, IdParams, Limit, Name, PageOf } from './schemas.js';
import { errorResponses, JSON_BODY, TENANT_ROUTE } from '../responses.js';

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
      links: {
        201: {
          GetAccount: { operationId: 'getAccount', parameters: { 'path.id': '$response.body#/id' } },
          UpdateAccount: { operationId: 'updateAccount', parameters: { 'path.id': '$response.body#/id' } },
          DeactivateAccount: {
            operationId: 'deactivateAccount',
            parameters: { 'path.id': '$response.body#/id' },
          },
          DeleteAccount: { operationId: 'deleteAccount', parameters: { 'path.id': '$response.body#/id' } },
          // The rest of the body is generated; the link supplies the account and its currency.
          CreateTransaction: {
            operationId: 'createTransaction',
            requestBody: { account_id: '$response.body#/id', currency: '$response.body#/currency' },
          },
          ListTransactions: {
            operationId: 'listTransactions',
            parameters: { 'query.account_id': '$response.body#/id' },
          },
        },
      },
      config: write,
      schema: {
        tags,
        operationId: 'createAccount',
        summary: 'Create an account (balance starts at 0)',
        description:
          'A new account in the tenant, active, with balance 0 in its currency (which never changes). Answers 201 with Location; 429 when the tenant is at its limits.maxAccounts.',
        body: Type.Object(
          { name: Name, account_type: AccountType, currency: Currency },
          { additionalProperties: false },
        ),
        response: { 201: AccountResponse, ...errorResponses(TENANT_ROUTE, JSON_BODY) },
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
        operationId: 'listAccounts',
        summary: 'List accounts, oldest first (keyset pages)',
        description:
          'Filter by is_active, account_type and currency; page with limit and the next_cursor of the previous page.',
        querystring: Type.Object(
          {
            is_active: Type.Optional(Type.Boolean()),
            account_type: Type.Optional(AccountType),
            currency: Type.Optional(Currency),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor('accounts')),
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(AccountResponse), ...errorResponses(TENANT_ROUTE) },
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
        operationId: 'getAccount',
        summary: 'Read an account',
        description: 'One account with its current balance (the sum of its posted transactions).',
        params: IdParams,
        response: { 200: AccountResponse, ...errorResponses(TENANT_ROUTE, 404) },
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
        operationId: 'updateAccount',
        summary: 'Rename, retype, deactivate or reactivate an account (currency never changes)',
        description:
          'Send at least one of name, account_type, is_active; reactivating counts against limits.maxAccounts (429).',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            account_type: Type.Optional(AccountType),
            is_active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: AccountResponse, ...errorResponses(TENANT_ROUTE, JSON_BODY, 404) },
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
        operationId: 'deactivateAccount',
        summary: 'Deactivate an account: it keeps its history but takes no new transactions',
        description: 'Idempotent: deactivating an inactive account answers it unchanged.',
        params: IdParams,
        response: { 200: AccountResponse, ...errorResponses(TENANT_ROUTE, JSON_BODY, 404) },
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
        operationId: 'deleteAccount',
        summary: 'Delete an account that has no transactions (409 otherwise: deactivate it)',
        description: 'Only an account without transactions can be deleted; one with history answers 409.',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(TENANT_ROUTE, JSON_BODY, 404, 409) },
      },
    },
    async (request, reply) => {
      await request.withTenant((trx) => deleteAccount(trx, request.actor, request.params.id));
      return reply.code(204).send(null);
    },
  );
};

export default accountRoutes;
