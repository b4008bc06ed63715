import { Type, type TSchema } from 'typebox';

import { ACCOUNT_TYPES } from '../../db/models/account.js';
import { TRANSACTION_STATUSES, TRANSACTION_TYPES } from '../../db/models/transaction.js';
import { CURRENCY_CODES } from '../../domain/money/currency.js';
import { cursorPattern, type CursorKind } from '../../domain/ledger/cursor.js';
import { MAX_BATCH } from '../../domain/ledger/transactions.js';
import {
  BOUNDED_DATE_PATTERN,
  DATE_PATTERN,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  TIMESTAMP_PATTERN,
} from '../../domain/ledger/validate.js';

/**
 * TypeBox schemas for the ledger routes. Bodies are strict (no unknown fields, no type
 * coercion: see strict-validator.ts); the domain then checks what a schema cannot (currency
 * membership, amount precision per currency, calendar validity, account ownership).
 */

/** Text the database stores verbatim; NUL is the one character PostgreSQL text cannot hold. */
const Text = (minLength: number, maxLength: number, description?: string) =>
  Type.String({ minLength, maxLength, pattern: '^[^\\u0000]*$', ...(description ? { description } : {}) });

export const Uuid = Type.String({ format: 'uuid' });
export const Currency = Type.Enum([...CURRENCY_CODES], {
  description: 'ISO 4217 code, e.g. "USD"; amounts use its minor unit (JPY 0, USD 2, KWD 3 decimals)',
});
export const Amount = Type.String({
  minLength: 1,
  maxLength: 40,
  description: 'positive decimal string, e.g. "12.50", at most the currency\'s decimal places',
  examples: ['12.50'],
});
const TIMESTAMP_TEXT = 'ISO 8601 date-time with offset, e.g. "2026-11-25T09:30:00Z", at most milliseconds';
export const Timestamp = Type.String({
  pattern: TIMESTAMP_PATTERN,
  format: 'date-time',
  description: TIMESTAMP_TEXT,
});
export const CalendarDate = Type.String({ pattern: DATE_PATTERN, format: 'date', description: 'YYYY-MM-DD' });
/** A date stored with a budget: YYYY-MM-DD in the years 1900-2200. */
export const BoundedDate = Type.String({
  pattern: BOUNDED_DATE_PATTERN,
  format: 'date',
  description: 'YYYY-MM-DD, years 1900-2200',
});
export const AccountType = Type.Enum([...ACCOUNT_TYPES]);
export const EntryType = Type.Enum(['income', 'expense']);
export const NewStatus = Type.Enum(['pending', 'posted'], { description: 'default posted' });
export const Name = Text(1, 200);
export const Category = Text(1, 100);
export const Description = Text(0, 1000);

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'repeat a request safely: the same key and body replay the first response',
    }),
  ),
});

export const Limit = Type.Integer({
  minimum: 1,
  maximum: MAX_PAGE_SIZE,
  default: DEFAULT_PAGE_SIZE,
  description: 'page size',
});
/** The cursor of one list: its next_cursor, and any position of the same shape. */
export const Cursor = (kind: CursorKind) =>
  Type.String({
    maxLength: 80,
    pattern: cursorPattern(kind),
    description: 'next_cursor of the previous page',
  });

/* Responses */

const Stamp = Type.String({ format: 'date-time' });

export const AccountResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  account_type: AccountType,
  currency: Type.String(),
  balance: Type.String({ description: 'sum of posted transactions, decimal string' }),
  is_active: Type.Boolean(),
  created_at: Stamp,
  updated_at: Stamp,
});

export const TransactionResponse = Type.Object({
  id: Uuid,
  account_id: Uuid,
  amount: Type.String(),
  currency: Type.String(),
  transaction_type: Type.Enum([...TRANSACTION_TYPES]),
  direction: Type.Enum(['credit', 'debit']),
  status: Type.Enum([...TRANSACTION_STATUSES]),
  category: Type.String(),
  description: Type.String(),
  occurred_at: Stamp,
  transfer_id: Type.Union([Uuid, Type.Null()]),
  created_at: Stamp,
  updated_at: Stamp,
});

export const BudgetResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  category: Type.Union([Type.String(), Type.Null()], { description: 'null = all expenses' }),
  currency: Type.String(),
  total_amount: Type.String(),
  start_date: Type.String(),
  end_date: Type.String(),
  created_at: Stamp,
  updated_at: Stamp,
});

export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    next_cursor: Type.Union([Type.String(), Type.Null()], {
      description: 'pass as ?cursor= for the next page',
    }),
  });
}

export const BATCH_LIMIT = MAX_BATCH;

export { ErrorResponse } from '../responses.js';
