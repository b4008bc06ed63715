import { isCurrency } from '../money/currency.js';
import { amountProblem, normalizeAmount } from '../money/decimal.js';
import { ValidationError } from '../errors.js';

/**
 * Field checks the JSON schema cannot express (calendar validity, currency membership, amount
 * precision per currency, time bounds). Route schemas catch types and lengths first; these run
 * in the domain too so the CLI and seed get the same rules. Each failure names its field.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * ISO 8601 date-time with an explicit offset, at most millisecond precision: what JSON and JS
 * dates carry, so the value read back is exactly the value written. The route schemas carry the
 * same pattern, so clients and fuzzers see the rule the server applies.
 */
export const TIMESTAMP_PATTERN =
  '^(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,3}))?)?(Z|[+-](\\d{2}):(\\d{2}))$';
/** A calendar date, "YYYY-MM-DD" (the route schemas carry the same pattern). */
export const DATE_PATTERN = '^(\\d{4})-(\\d{2})-(\\d{2})$';
const TIMESTAMP = new RegExp(TIMESTAMP_PATTERN);
const DATE = new RegExp(DATE_PATTERN);

/** Earliest occurred_at accepted: older history is almost certainly a typo (e.g. year 0202). */
export const EARLIEST_TIMESTAMP = Date.UTC(1900, 0, 1);
/** How far ahead occurred_at may be: scheduled items, not the year 20240. */
export const MAX_FUTURE_MS = 366 * 24 * 60 * 60 * 1000;
const EARLIEST_YEAR = 1900;
/** PostgreSQL refuses a UTC offset of 16 hours or more ("time zone displacement out of range"). */
const MAX_OFFSET_HOURS = 15;
const LATEST_YEAR = 2200;
/** The dates checkDate accepts as far as a pattern can say: DATE_PATTERN in the years 1900-2200. */
export const BOUNDED_DATE_PATTERN = '^(19\\d{2}|2[01]\\d{2}|2200)-(\\d{2})-(\\d{2})$';

export function checkUuid(field: string, value: string): string {
  if (!UUID.test(value)) throw new ValidationError(field, 'must be a UUID');
  return value.toLowerCase();
}

export function checkCurrency(field: string, value: string): string {
  if (!isCurrency(value))
    throw new ValidationError(field, `must be an active ISO 4217 currency code, got "${value}"`);
  return value;
}

export function checkAmount(field: string, value: string, currency: string): string {
  const problem = amountProblem(value, currency);
  if (problem) throw new ValidationError(field, problem);
  return normalizeAmount(value, currency);
}

/** Text stored verbatim; PostgreSQL text cannot hold NUL, so refuse it here instead of failing in SQL. */
export function checkText(field: string, value: string, min: number, max: number): string {
  // Code points, as PostgreSQL's length() counts them (its CHECK constraints use that).
  // eslint-disable-next-line @typescript-eslint/no-misused-spread
  const length = [...value].length;
  if (length < min || length > max) {
    throw new ValidationError(field, `must be between ${min} and ${max} characters long`);
  }
  if (value.includes('\u0000')) throw new ValidationError(field, 'must not contain NUL characters');
  return value;
}

/**
 * A name or category: text as checkText, stored verbatim, but not only whitespace (it would show
 * as blank everywhere it is listed).
 */
export function checkName(field: string, value: string, max: number): string {
  checkText(field, value, 1, max);
  if (/^\s*$/.test(value)) throw new ValidationError(field, 'must not be blank');
  return value;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validCalendarDay(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * An ISO 8601 timestamp with offset, a real calendar instant, within [1900, now + 1 year].
 * Returned unchanged: PostgreSQL parses the offset itself.
 */
export function checkTimestamp(field: string, value: string, now: number = Date.now()): string {
  const m = TIMESTAMP.exec(value);
  if (!m) {
    throw new ValidationError(
      field,
      'must be an ISO 8601 date-time with an offset, like "2024-05-01T12:30:00Z"',
    );
  }
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(
    Number,
  ) as [number, number, number, number, number, number];
  const offsetHours = Number(m[9] ?? '0');
  const offsetMinutes = Number(m[10] ?? '0');
  if (
    !validCalendarDay(year, month, day) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > MAX_OFFSET_HOURS ||
    offsetMinutes > 59
  ) {
    throw new ValidationError(field, 'is not a valid date and time');
  }
  const instant = Date.parse(value);
  if (Number.isNaN(instant)) throw new ValidationError(field, 'is not a valid date and time');
  if (instant < EARLIEST_TIMESTAMP) throw new ValidationError(field, 'must not be before 1900-01-01');
  if (instant > now + MAX_FUTURE_MS)
    throw new ValidationError(field, 'must not be more than a year in the future');
  return value;
}

/** A calendar date "YYYY-MM-DD" between 1900 and 2200. */
export function checkDate(field: string, value: string): string {
  const m = DATE.exec(value);
  if (!m) throw new ValidationError(field, 'must be a date like "2024-05-01"');
  const [year, month, day] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  if (!validCalendarDay(year, month, day)) throw new ValidationError(field, 'is not a valid calendar date');
  if (year < EARLIEST_YEAR || year > LATEST_YEAR) {
    throw new ValidationError(field, `must be between ${EARLIEST_YEAR} and ${LATEST_YEAR}`);
  }
  return value;
}

/** One of a fixed set of words (the schema checks this too; the CLI and seed come through here). */
export function checkOneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(field, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** Page size for keyset lists: default 50, at most 200. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export function checkLimit(value: number | undefined): number {
  if (value === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new ValidationError('limit', `must be an integer between 1 and ${MAX_PAGE_SIZE}`);
  }
  return value;
}
