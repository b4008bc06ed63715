import { createHash } from 'node:crypto';

import type { Knex } from 'knex';

import type { ActorContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { IdempotencyKeyReusedError } from './errors.js';
import { IDEMPOTENCY_KEY_MAX_LENGTH } from './fields.js';

/** What a write answers: its status and body (stored for replays). */
export interface WriteResult<T, S extends number = number> {
  readonly statusCode: S;
  readonly body: T;
}

export interface IdempotentResult<T, S extends number = number> extends WriteResult<T, S> {
  /** True when the body is the stored answer to an earlier identical request. */
  readonly replayed: boolean;
}

const KEY = new RegExp(`^[\\x21-\\x7e]{1,${IDEMPOTENCY_KEY_MAX_LENGTH}}$`);

export function checkIdempotencyKey(key: string): string {
  if (!KEY.test(key)) {
    throw new ValidationError(
      'idempotency-key',
      `must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters`,
    );
  }
  return key;
}

/** JSON with object keys sorted, so the same request always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  // JSON.stringify(undefined) is undefined at run time, whatever its type says.
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** Hash of what makes two requests "the same": the operation and its body. */
export function requestHash(operation: string, body: unknown): string {
  return createHash('sha256').update(operation).update('\n').update(canonical(body)).digest('hex');
}

interface StoredKey {
  tenant_id: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: unknown;
}

/**
 * Idempotent writes keyed by the client's Idempotency-Key, stored in idempotency_keys
 * (tenant_id, key) inside the write's own transaction:
 *
 * 1. claim the key with INSERT … ON CONFLICT DO NOTHING. A concurrent request holding the same
 *    key blocks here on the primary key until it commits or rolls back, so duplicates racing
 *    each other still produce one write;
 * 2. if the key was already there: same request hash → replay the stored status and body;
 *    different hash → 422;
 * 3. otherwise do the work and store its response in the claimed row.
 *
 * A failed write rolls back its claim too, so the client can retry the same key after fixing
 * the request. Only successful responses are ever replayed.
 */
export async function idempotent<T, S extends number>(
  trx: Knex.Transaction,
  ctx: ActorContext,
  key: string | undefined,
  hash: string,
  work: () => Promise<WriteResult<T, S>>,
): Promise<IdempotentResult<T, S>> {
  if (key === undefined) return { ...(await work()), replayed: false };
  checkIdempotencyKey(key);

  const claimed = await trx('idempotency_keys')
    .insert({ tenant_id: ctx.tenantId, key, request_hash: hash, status_code: 0, response: '{}' })
    .onConflict(['tenant_id', 'key'])
    .ignore()
    .returning('key');

  if (claimed.length === 0) {
    const stored = await trx<StoredKey>('idempotency_keys')
      .where({ tenant_id: ctx.tenantId, key })
      .first('request_hash', 'status_code', 'response');
    // The other holder committed (we waited on its lock), so the row is visible to this statement.
    if (!stored) throw new Error(`idempotency key ${key} vanished after a conflict`);
    if (stored.request_hash !== hash) throw new IdempotencyKeyReusedError(key);
    // Stored by this same call site's work(), so it is one of the statuses that work answers.
    return { statusCode: stored.status_code as S, body: stored.response as T, replayed: true };
  }

  const result = await work();
  await trx('idempotency_keys')
    .where({ tenant_id: ctx.tenantId, key })
    .update({ status_code: result.statusCode, response: JSON.stringify(result.body) });
  return { ...result, replayed: false };
}
