import type { Knex } from 'knex';

/** What a scrape reports about the database as a whole. */
export interface DatabaseStats {
  readonly size: string;
  readonly lock_waits: number;
  readonly active_tenants: number;
  readonly outbox_depth: number;
}

/** Rejects after `ms` so a pool waiting for a connection cannot hold up a scrape. */
function withDeadline<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Database size, lock waits, active tenants and outbox depth in one short read-only platform
 * transaction with its own statement timeout, answered within 2 s or refused.
 */
export function readDatabaseStats(db: Knex): Promise<DatabaseStats | undefined> {
  return withDeadline(
    2000,
    db.transaction(
      async (trx) => {
        await trx.raw(
          `select set_config('statement_timeout', '1000', true), set_config('app.platform', 'on', true)`,
        );
        const result = await trx.raw<{ rows: DatabaseStats[] }>(`
              select pg_database_size(current_database())::text as size,
                     -- this database's sessions only: the server may host others (pg_locks
                     -- has no database for transaction-id locks, so filter by session)
                     (select count(distinct l.pid) from pg_locks l join pg_stat_activity a on a.pid = l.pid
                       where not l.granted and a.datname = current_database())::int as lock_waits,
                     (select count(*) from tenants where status = 'active')::int as active_tenants,
                     (select count(*) from audit_outbox)::int as outbox_depth`);
        return result.rows[0];
      },
      { readOnly: true },
    ),
  );
}
