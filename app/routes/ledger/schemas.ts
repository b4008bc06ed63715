import { Type, type TSchema } from 'typebox';

import { CURSOR_MAX_LENGTH, cursorPattern, type CursorKind } from '../../domain/paging/cursor.js';
import { IdempotencyKey, Uuid } from '../../domain/ledger/fields.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../domain/ledger/validate.js';

/**
 * TypeBox schemas for the ledger routes. The fields and resources are declared once in the
 * domain (domain/ledger/fields.ts, views.ts), re-exported here under the routes' names. Bodies
 * are strict (no unknown fields, no type coercion: app/validation.ts); the domain then checks
 * what a schema cannot (currency membership, amount precision per currency, calendar validity,
 * account ownership).
 */
export {
  AccountType,
  Amount,
  BoundedDate,
  CalendarDate,
  Category,
  Currency,
  Description,
  EntryType,
  MAX_BATCH as BATCH_LIMIT,
  Name,
  NewStatus,
  Timestamp,
  Uuid,
} from '../../domain/ledger/fields.js';
export {
  AccountSchema as AccountResponse,
  BudgetSchema as BudgetResponse,
  TransactionSchema as TransactionResponse,
} from '../../domain/ledger/views.js';

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(IdempotencyKey) });

export const Limit = Type.Integer({
  minimum: 1,
  maximum: MAX_PAGE_SIZE,
  default: DEFAULT_PAGE_SIZE,
  description: 'page size',
});
/** The cursor of one list: its next_cursor, and any position of the same shape. */
export const Cursor = (kind: CursorKind) =>
  Type.String({
    maxLength: CURSOR_MAX_LENGTH,
    pattern: cursorPattern(kind),
    description: 'next_cursor of the previous page',
  });

export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    next_cursor: Type.Union([Type.String(), Type.Null()], {
      description: 'pass as ?cursor= for the next page',
    }),
  });
}

export { ErrorResponse } from '../responses.js';
