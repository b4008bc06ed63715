import type { Knex } from 'knex';

interface QueryEvent {
  readonly __knexQueryUid?: string;
  readonly sql?: string;
}

/** Distinct operations beyond this many are reported as `other`: a label set stays bounded. */
const MAX_OPERATIONS = 200;
/** Queries whose end was never seen (connection lost mid-way) are forgotten past this many. */
const MAX_IN_FLIGHT = 10_000;

/** "select:accounts", "insert:audit_outbox", "transaction" … bounded by the schema. */
function operationOf(sql: string): string {
  const verb = /^\s*(select|insert|update|delete|with|begin|commit|rollback|savepoint|release)\b/i
    .exec(sql)?.[1]
    ?.toLowerCase();
  if (!verb) return 'other';
  if (['begin', 'commit', 'rollback', 'savepoint', 'release'].includes(verb)) return 'transaction';
  const table = /\b(?:from|into|update)\s+"?([a-z_][a-z0-9_]*)"?/i.exec(sql)?.[1]?.toLowerCase();
  return table ? `${verb}:${table}` : verb;
}

/**
 * Times every query of `db` from knex's query events (they also fire for queries inside
 * transactions): `onTimed` gets its operation and duration, `onError` each failure. Returns a
 * prune, to call now and then, that drops queries whose end never came.
 */
export function timeQueries(
  db: Knex,
  onTimed: (operation: string, ms: number) => void,
  onError: (error: unknown) => void,
): () => void {
  const started = new Map<string, number>();
  const operations = new Set<string>();
  const bounded = (operation: string): string => {
    if (operations.has(operation)) return operation;
    if (operations.size >= MAX_OPERATIONS) return 'other';
    operations.add(operation);
    return operation;
  };
  db.on('query', (query: QueryEvent) => {
    // BEGIN/COMMIT/ROLLBACK are emitted as plain 'query' events (no uid, no response event).
    if (query.__knexQueryUid) started.set(query.__knexQueryUid, performance.now());
  });
  db.on('query-response', (_response: unknown, query: QueryEvent) => {
    const uid = query.__knexQueryUid;
    const begin = uid ? started.get(uid) : undefined;
    if (uid) started.delete(uid);
    if (begin === undefined) return;
    onTimed(bounded(operationOf(query.sql ?? '')), performance.now() - begin);
  });
  db.on('query-error', (error: unknown, query: QueryEvent) => {
    if (query.__knexQueryUid) started.delete(query.__knexQueryUid);
    onError(error);
  });
  return () => {
    if (started.size > MAX_IN_FLIGHT) started.clear();
  };
}
