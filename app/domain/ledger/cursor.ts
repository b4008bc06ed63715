import { ValidationError } from '../errors.js';

/**
 * Opaque keyset cursors: base64url of {k: list kind, t: sort timestamp, i: id}. The timestamp is
 * PostgreSQL's own text at microsecond precision (a JS Date would drop microseconds and skip or
 * repeat rows). The kind stops a transactions cursor being replayed against the accounts list.
 */
export type CursorKind = 'transactions' | 'accounts' | 'budgets';

export interface CursorPosition {
  readonly at: string;
  readonly id: string;
}

/** What a cursor looks like on the wire (base64url, unpadded); the route schemas carry it too. */
export const CURSOR_PATTERN = '^[A-Za-z0-9_-]+$';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PG_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** SQL expression rendering a timestamptz column the way cursors carry it. */
export function cursorTimestampSql(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

export function encodeCursor(kind: CursorKind, position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ k: kind, t: position.at, i: position.id })).toString('base64url');
}

export function decodeCursor(kind: CursorKind, cursor: string | undefined): CursorPosition | undefined {
  if (cursor === undefined) return undefined;
  const invalid = (): ValidationError =>
    new ValidationError('cursor', `is not a cursor from this ${kind} list`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { k, t, i } = parsed as Record<string, unknown>;
  if (k !== kind || typeof t !== 'string' || typeof i !== 'string' || !PG_UTC.test(t) || !UUID.test(i)) {
    throw invalid();
  }
  return { at: t, id: i };
}

/** Splits a limit+1 fetch into the page and the cursor for the next one (null at the end). */
export function pageOf<R extends { cursor_at: string; id: string }>(
  kind: CursorKind,
  rows: readonly R[],
  limit: number,
): { rows: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last ? encodeCursor(kind, { at: last.cursor_at, id: last.id }) : null;
  return { rows: page, nextCursor };
}
