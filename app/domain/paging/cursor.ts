import { ValidationError } from '../errors.js';

/**
 * Keyset cursors: `<list kind>.<sort instant in microseconds since 1970>.<id>`. The instant is
 * PostgreSQL's own at microsecond precision (a JS Date would drop microseconds and skip or repeat
 * rows); the kind stops a transactions cursor being replayed against the accounts list. Every
 * string of that shape is a position a page can start after, so the route schemas carry the exact
 * pattern (cursorPattern) and a cursor the schema admits is never refused.
 */
export type CursorKind = 'transactions' | 'accounts' | 'budgets' | 'audit';

export interface CursorPosition {
  /** Microseconds since 1970-01-01T00:00:00Z, as decimal text (exact beyond 2^53). */
  readonly at: string;
  readonly id: string;
}

/** Room for the longest cursor the pattern admits (67 characters). */
export const CURSOR_MAX_LENGTH = 80;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** The cursor of one list; 16 digits of microseconds reach past the years PostgreSQL stores rows in. */
export function cursorPattern(kind: CursorKind): string {
  return `^${kind}\\.(-?\\d{1,16})\\.(${UUID})$`;
}

/** SQL expression rendering a timestamptz column the way cursors carry it. */
export function cursorTimestampSql(column: string): string {
  return `(extract(epoch from ${column}) * 1000000)::bigint::text`;
}

/** SQL for the instant of a cursor bound as `?` (its `at`): exact, through interval's integer microseconds. */
export const CURSOR_INSTANT_SQL = `(timestamptz 'epoch' + (? || ' microseconds')::interval)`;

export function encodeCursor(kind: CursorKind, position: CursorPosition): string {
  return `${kind}.${position.at}.${position.id}`;
}

export function decodeCursor(kind: CursorKind, cursor: string | undefined): CursorPosition | undefined {
  if (cursor === undefined) return undefined;
  const match = new RegExp(cursorPattern(kind)).exec(cursor);
  if (!match?.[1] || !match[2]) {
    throw new ValidationError('cursor', `is not a cursor from this ${kind} list`);
  }
  return { at: match[1], id: match[2] };
}
