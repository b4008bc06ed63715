import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';

import { idempotent, requestHash } from '../../domain/ledger/idempotency.js';

/**
 * A create that honours Idempotency-Key (domain/ledger/idempotency.ts): in the request's tenant
 * transaction, the first request with a key runs `create` and answers 201; a repeat with the same
 * key and body gets the stored answer with `Idempotent-Replayed: true`; the same key with another
 * body is a 422. The operation hashed with the body is the route ("POST /financial/transfers").
 * Returns the body to send, the status already set.
 */
export async function idempotentCreate<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  create: (trx: Knex.Transaction, key: string | undefined) => Promise<T>,
): Promise<T> {
  // One string: the route's headers schema (IdempotencyHeaders) admits nothing else.
  const key = request.headers['idempotency-key'] as string | undefined;
  const operation = `${request.method} ${request.routeOptions.url ?? request.url}`;
  const result = await request.withTenant((trx) =>
    idempotent(trx, request.actor, key, requestHash(operation, request.body), async () => ({
      statusCode: 201 as const,
      body: await create(trx, key),
    })),
  );
  if (result.replayed) void reply.header('idempotent-replayed', 'true');
  void reply.code(result.statusCode);
  return result.body;
}
