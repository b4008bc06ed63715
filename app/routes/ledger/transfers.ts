import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

import { createTransfer } from '../../domain/ledger/transfers.js';
import {
  Amount,
  Category,
  Currency,
  Description,
  IdempotencyHeaders,
  NewStatus,
  Timestamp,
  TransactionResponse,
  Uuid,
} from './schemas.js';
import { errorResponses, JSON_BODY, TENANT_ROUTE } from '../responses.js';
import { idempotentCreate } from './idempotent-create.js';
import { transactionLinks } from './links.js';

/** POST /financial/transfers: move money between two accounts of the same currency. */
const transferRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/financial/transfers',
    {
      links: { 201: transactionLinks('$response.body#/debit/id') },
      config: { permission: 'ledger:write' },
      schema: {
        tags: ['transactions'],
        operationId: 'createTransfer',
        summary: 'Transfer between two accounts: a debit and a credit leg sharing transfer_id',
        description:
          'Two legs, a debit on from_account_id and a credit on to_account_id, in the accounts’ shared currency, written together (Idempotency-Key supported: the same key with another body answers 422).',
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            from_account_id: Uuid,
            to_account_id: Uuid,
            amount: Amount,
            currency: Currency,
            status: Type.Optional(NewStatus),
            category: Type.Optional(Category),
            description: Type.Optional(Description),
            occurred_at: Timestamp,
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ transfer_id: Uuid, debit: TransactionResponse, credit: TransactionResponse }),
          ...errorResponses(TENANT_ROUTE, JSON_BODY, 404, 422),
        },
      },
    },
    async (request, reply) =>
      reply.send(
        await idempotentCreate(request, reply, (trx) => createTransfer(trx, request.actor, request.body)),
      ),
  );
};

export default transferRoutes;
