import type { Knex } from 'knex';

import {
  CURSOR_INSTANT_SQL,
  cursorTimestampSql,
  decodeCursor,
  encodeCursor,
  type CursorKind,
} from './cursor.js';

/** One page of a list and the cursor of the next (null on the last page). */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** How a list is ordered: by an instant column, then id, both the same way. */
export interface KeysetOrder {
  /** The cursor's list kind (cursor.ts): a cursor of another list is refused. */
  readonly kind: CursorKind;
  readonly table: string;
  readonly column: string;
  readonly order: 'asc' | 'desc';
  /** What to select (default every column). */
  readonly columns?: readonly string[];
}

/**
 * A keyset-paged list of the tenant's rows: `narrow` checks and adds the list's filters, then
 * one limit+1 read (in the (tenant_id, column, id) index order) gives the page and tells whether
 * another follows. Stable under concurrent writes: a page never repeats or skips a row.
 */
// R is the row type `view` reads: the one place the untyped query result is given a type.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export async function keysetPage<R extends { id: string }, V>(
  trx: Knex.Transaction,
  tenantId: string,
  list: KeysetOrder,
  page: { readonly limit: number; readonly cursor?: string | undefined },
  narrow: (query: Knex.QueryBuilder) => void | Promise<void>,
  view: (row: R) => V,
): Promise<Page<V>> {
  const after = decodeCursor(list.kind, page.cursor);
  const query = trx(list.table)
    .select(...(list.columns ?? ['*']), trx.raw(`${cursorTimestampSql(list.column)} as cursor_at`))
    .where('tenant_id', tenantId)
    .orderBy([
      { column: list.column, order: list.order },
      { column: 'id', order: list.order },
    ])
    .limit(page.limit + 1);
  await narrow(query);
  if (after) {
    const beyond = list.order === 'asc' ? '>' : '<';
    void query.whereRaw(`(${list.column}, id) ${beyond} (${CURSOR_INSTANT_SQL}, ?::uuid)`, [
      after.at,
      after.id,
    ]);
  }
  const rows = (await query) as Array<R & { cursor_at: string }>;
  const { rows: data, nextCursor } = pageOf(list.kind, rows, page.limit);
  return { data: data.map(view), next_cursor: nextCursor };
}

/** Splits a limit+1 fetch into the page and the cursor for the next one (null at the end). */
function pageOf<R extends { cursor_at: string; id: string }>(
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
