import { Type } from 'typebox';

import { ACCOUNT_TYPES } from '../../db/models/account.js';
import { CURRENCY_CODES } from '../money/currency.js';
import { BOUNDED_DATE_PATTERN, DATE_PATTERN, TIMESTAMP_PATTERN } from './validate.js';

/**
 * The ledger's fields, declared once: each limit is a named constant that the TypeBox schema
 * (what the routes check and the OpenAPI document states) and the domain check (what the CLI
 * and seed get too, validate.ts) both use. Lengths count code points, as PostgreSQL's length()
 * and its CHECK constraints do.
 */
export const NAME_MAX_LENGTH = 200;
export const CATEGORY_MAX_LENGTH = 100;
export const DESCRIPTION_MAX_LENGTH = 1000;
/** Longer than any amount a NUMERIC(24, 4) balance can hold, written out. */
export const AMOUNT_MAX_LENGTH = 40;
export const IDEMPOTENCY_KEY_MAX_LENGTH = 200;
/** The most entries one batch create writes. */
export const MAX_BATCH = 1000;

/** Text the database stores verbatim; NUL is the one character PostgreSQL text cannot hold. */
const Text = (minLength: number, maxLength: number) =>
  Type.String({ minLength, maxLength, pattern: '^[^\\u0000]*$' });

export const Uuid = Type.String({ format: 'uuid' });
export const Currency = Type.Enum([...CURRENCY_CODES], {
  description: 'ISO 4217 code, e.g. "USD"; amounts use its minor unit (JPY 0, USD 2, KWD 3 decimals)',
});
export const Amount = Type.String({
  minLength: 1,
  maxLength: AMOUNT_MAX_LENGTH,
  description: 'positive decimal string, e.g. "12.50", at most the currency\'s decimal places',
  examples: ['12.50'],
});
export const Timestamp = Type.String({
  pattern: TIMESTAMP_PATTERN,
  format: 'date-time',
  description: 'ISO 8601 date-time with offset, e.g. "2026-11-25T09:30:00Z", at most milliseconds',
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
export const Name = Text(1, NAME_MAX_LENGTH);
export const Category = Text(1, CATEGORY_MAX_LENGTH);
export const Description = Text(0, DESCRIPTION_MAX_LENGTH);
export const IdempotencyKey = Type.String({
  minLength: 1,
  maxLength: IDEMPOTENCY_KEY_MAX_LENGTH,
  pattern: '^[\\x21-\\x7e]+$',
  description: 'repeat a request safely: the same key and body replay the first response',
});
