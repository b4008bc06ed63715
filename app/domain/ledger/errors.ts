import { DomainError } from '../errors.js';

/**
 * A referenced row (an account named in a transaction body) that does not exist for this
 * tenant. Other tenants' rows are invisible under row-level security, so "not yours" and
 * "does not exist" are the same answer: 404, naming the field that held the id.
 */
export class ReferenceNotFoundError extends DomainError {
  constructor(field: string, message: string) {
    super(404, message, { field });
  }
}

/** An Idempotency-Key reused with a different request: the client has a bug, never replay. */
export class IdempotencyKeyReusedError extends DomainError {
  constructor(key: string) {
    super(
      422,
      `Idempotency-Key "${key}" was already used with a different request; use a new key for a new request`,
      { field: 'idempotency-key' },
    );
  }
}
