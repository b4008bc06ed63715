import { Type, type TSchema } from 'typebox';

import { ACCOUNT_TYPES } from '../../db/models/account.js';
import { TRANSACTION_STATUSES, TRANSACTION_TYPES } from '../../db/models/transaction.js';
import { CURRENCY_PATTERN } from '../../domain/money/currency.js';
import { MAX_BATCH } from '../../domain/ledger/transactions.js';
import { MAX_PAGE_SIZE } from '../../domain/ledger/validate.js';

/**
 * TypeBox schemas for the ledger routes. Bodies are strict (no unknown fields, no type
 * coercion: see strict-validator.ts); the domain then checks what a schema cannot (currency
 * membership, amount precision per currency, calendar validity, account ownership).
 */

/** Text the database stores verbatim; NUL is the one character PostgreSQL text cannot hold. */
const Text = (minLength: number, maxLength: number, description?: string) =>
  Type.String({ minLength, maxLength, pattern: '^[^\\u0000]*$', ...(description ? { description } : {}) });

export const Uuid = Type.String({ format: 'uuid' });
export const Currency = Type.String({
  pattern: CURRENCY_PATTERN,
  description: 'ISO 4217 code, e.g. "USD"; amounts use its minor unit (JPY 0, USD 2, KWD 3 decimals)',
});
export const Amount = Type.String({
  minLength: 1,
  maxLength: 40,
  description: 'positive decimal string, e.g. "12.50", at most the currency\'s decimal places',
  examples: ['12.50'],
});
export const Timestamp = Type.String({
  maxLength: 35,
  description: 'ISO 8601 date-time with offset, e.g. "2026-11-25T09:30:00Z", at most milliseconds',
});
export const CalendarDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
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
  description: 'page size, default 50',
});
export const Cursor = Type.String({
  minLength: 1,
  maxLength: 500,
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

/** The one error shape (app/plugins/errors.ts), for the OpenAPI document. */
export const ErrorResponse = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  request_id: Type.String(),
  field: Type.Optional(Type.String()),
});

export const Errors = { '4xx': ErrorResponse, '5xx': ErrorResponse };

export const BATCH_LIMIT = MAX_BATCH;
