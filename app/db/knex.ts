import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

// NUMERIC stays a string (money is never a float); int8 counts become numbers (they never
// approach 2^53); DATE stays 'YYYY-MM-DD' so no timezone shifts a calendar day.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

export interface DatabaseOptions {
  readonly url: string;
  readonly poolMax?: number;
  readonly statementTimeoutMs?: number;
  readonly applicationName?: string;
}

/** knex's own warnings (pool acquire errors, deprecations) as JSON lines like the API's logs. */
function jsonLog(level: number) {
  return (message: unknown): void => {
    const msg = message instanceof Error ? message.message : String(message);
    process.stderr.write(
      `${JSON.stringify({ level, time: Date.now(), pid: process.pid, component: 'knex', msg })}\n`,
    );
  };
}

export function createKnex(options: DatabaseOptions): Knex {
  return knexFactory({
    log: { warn: jsonLog(40), error: jsonLog(50), deprecate: jsonLog(40), debug: jsonLog(20) },
    client: 'pg',
    connection: {
      connectionString: options.url,
      application_name: options.applicationName ?? 'findash',
      statement_timeout: options.statementTimeoutMs ?? 5000,
      connectionTimeoutMillis: 3000,
    },
    pool: { min: 0, max: options.poolMax ?? 10, acquireTimeoutMillis: 5000, idleTimeoutMillis: 30_000 },
    acquireConnectionTimeout: 5000,
  });
}

/** The underlying pg pool, for metrics. knex keeps it on its client. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export function poolStats(knex: Knex): PoolStats {
  const pool = (
    knex.client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number } }
  ).pool;
  if (!pool) return { total: 0, idle: 0, waiting: 0 };
  return {
    total: pool.numUsed() + pool.numFree(),
    idle: pool.numFree(),
    waiting: pool.numPendingAcquires(),
  };
}
