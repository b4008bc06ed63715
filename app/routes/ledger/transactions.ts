import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

import { postTransaction, voidTransaction } from '../../domain/ledger/transaction-status.js';
import {
  createTransaction,
  createTransactions,
  getTransaction,
  listTransactions,
} from '../../domain/ledger/transactions.js';
import {
  Amount,
  BATCH_LIMIT,
  Category,
  Currency,
  Cursor,
  Description,
  EntryType,
  IdempotencyHeaders,
  IdParams,
  Limit,
  NewStatus,
  PageOf,
  Timestamp,
  TransactionResponse,
  Uuid,
} from './schemas.js';
import { errorResponses, JSON_BODY, TENANT_ROUTE } from '../responses.js';
import { idempotentCreate } from './idempotent-create.js';
import { transactionLinks } from './links.js';
import { RANGE_RULE, TimeRange } from '../time-range.js';

const tags = ['transactions'];
const write = { permission: 'ledger:write' as const };
const read = { permission: 'transactions:read' as const };

const NewTransactionBody = Type.Object(
  {
    account_id: Uuid,
    amount: Amount,
    currency: Currency,
    transaction_type: EntryType,
    status: Type.Optional(NewStatus),
    category: Type.Optional(Category),
    description: Type.Optional(Description),
    occurred_at: Timestamp,
  },
  { additionalProperties: false },
);

const BatchResponse = Type.Object({ count: Type.Integer(), transactions: Type.Array(TransactionResponse) });

/** A 1000-entry batch with long descriptions is larger than the default body limit. */
const BATCH_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * /financial/transactions: income and expense entries. Creates (single and batch) honour
 * Idempotency-Key: a repeat with the same key and body gets the first response again with
 * `Idempotent-Replayed: true`; the same key with another body is a 422.
 */
const transactionRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/financial/transactions',
    {
      links: { 201: transactionLinks('$response.body#/id') },
      config: write,
      schema: {
        tags,
        operationId: 'createTransaction',
        summary: 'Record an income or expense (Idempotency-Key supported)',
        description:
          'An income or expense on an active account of the same currency; the balance and rollups follow in the same database transaction. 404 when account_id is unknown or inactive; the same Idempotency-Key with another body answers 422.',
        headers: IdempotencyHeaders,
        body: NewTransactionBody,
        response: { 201: TransactionResponse, ...errorResponses(TENANT_ROUTE, JSON_BODY, 404, 422) },
      },
    },
    async (request, reply) => {
      const created = await idempotentCreate(request, reply, (trx, key) =>
        createTransaction(trx, request.actor, request.body, key),
      );
      return reply.header('location', `/financial/transactions/${created.id}`).send(created);
    },
  );

  fastify.post(
    '/financial/transactions/batch',
    {
      config: write,
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        tags,
        operationId: 'createTransactions',
        summary: `Record up to ${BATCH_LIMIT} entries at once: all or nothing (Idempotency-Key supported)`,
        description:
          'Every entry is checked and written in one database transaction: one bad entry refuses the whole batch, naming it (transactions.N.field).',
        headers: IdempotencyHeaders,
        body: Type.Object(
          { transactions: Type.Array(NewTransactionBody, { minItems: 1, maxItems: BATCH_LIMIT }) },
          { additionalProperties: false },
        ),
        response: { 201: BatchResponse, ...errorResponses(TENANT_ROUTE, JSON_BODY, 404, 422) },
      },
    },
    async (request, reply) =>
      reply.send(
        await idempotentCreate(request, reply, (trx) =>
          createTransactions(trx, request.actor, request.body.transactions),
        ),
      ),
  );

  fastify.get(
    '/financial/transactions',
    {
      config: read,
      schema: {
        tags,
        operationId: 'listTransactions',
        summary: 'List transactions, newest first (keyset pages)',
        description: `Filter by account_id, category, type, status and an occurred_at range; page with limit and the next_cursor of the previous page. ${RANGE_RULE}.`,
        querystring: Type.Object(
          {
            account_id: Type.Optional(Uuid),
            category: Type.Optional(Category),
            type: Type.Optional(Type.Enum(['income', 'expense', 'transfer'])),
            status: Type.Optional(Type.Enum(['pending', 'posted', 'void'])),
            ...TimeRange,
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor('transactions')),
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(TransactionResponse), ...errorResponses(TENANT_ROUTE) },
      },
    },
    async (request) =>
      request.withTenant((trx) => listTransactions(trx, request.actor, request.query), { readOnly: true }),
  );

  fastify.get(
    '/financial/transactions/:id',
    {
      config: read,
      schema: {
        tags,
        operationId: 'getTransaction',
        summary: 'Read a transaction',
        description: 'One transaction with its status and, for a transfer leg, its transfer_id.',
        params: IdParams,
        response: { 200: TransactionResponse, ...errorResponses(TENANT_ROUTE, 404) },
      },
    },
    async (request) =>
      request.withTenant((trx) => getTransaction(trx, request.params.id), { readOnly: true }),
  );

  fastify.post(
    '/financial/transactions/:id/void',
    {
      config: write,
      schema: {
        tags,
        operationId: 'voidTransaction',
        summary: 'Void a pending or posted transaction (both legs of a transfer)',
        description: 'A voided transaction leaves balances and rollups; voiding it again answers 409.',
        params: IdParams,
        response: { 200: TransactionResponse, ...errorResponses(TENANT_ROUTE, JSON_BODY, 404, 409) },
      },
    },
    async (request) => request.withTenant((trx) => voidTransaction(trx, request.actor, request.params.id)),
  );

  fastify.post(
    '/financial/transactions/:id/post',
    {
      config: write,
      schema: {
        tags,
        operationId: 'postTransaction',
        summary: 'Post a pending transaction (both legs of a transfer)',
        description:
          'Only a pending transaction can be posted (409 otherwise); its amount then counts in the balance.',
        params: IdParams,
        response: { 200: TransactionResponse, ...errorResponses(TENANT_ROUTE, JSON_BODY, 404, 409) },
      },
    },
    async (request) => request.withTenant((trx) => postTransaction(trx, request.actor, request.params.id)),
  );
};

export default transactionRoutes;
