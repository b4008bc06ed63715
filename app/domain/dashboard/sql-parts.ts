import type { Knex } from 'knex';

import type { DashboardRange } from './date-range.js';
import { rollupSourceSql } from './rollup-source.js';
import { CURRENT_TENANT } from './current-tenant.js';

/**
 * Dashboard parts as composable SQL: each part is a set of named CTEs plus one expression that
 * yields its JSON. A single part runs as one statement; the full dashboard runs all parts as ONE
 * statement too — one round trip, one snapshot (even under READ COMMITTED), and CTEs the parts
 * share (the tenant row, the rollup rows of the range) are computed once.
 */
export type Binding = string | number | null;

export interface Cte {
  readonly name: string;
  readonly sql: string;
  readonly bindings: readonly Binding[];
}

export interface Part<T> {
  /** CTEs this part reads, dependencies first; `tenant` is always present and aliased `t`. */
  readonly ctes: readonly Cte[];
  /** One SQL expression producing the part's JSON. */
  readonly expression: string;
  readonly bindings: readonly Binding[];
  /** JSON → API shape (money rounded once here). */
  readonly map: (json: never) => T;
}

const DAY_LEFT = '__seconds_left_today';

type Results<P> = { [K in keyof P]: P[K] extends Part<infer T> ? T : never };

/** The tenant in scope, with its calendar: every part may read `t.<column>`. */
const TENANT: Cte = {
  name: 'tenant',
  sql: `select id, name, type, display_name, base_currency::text as base, timezone,
               (now() at time zone timezone)::date as today,
               date_trunc('month', now() at time zone timezone)::date as this_month
          from tenants where id = ${CURRENT_TENANT}`,
  bindings: [],
};

/**
 * An answer and how long it stays true: the seconds from its statement's time to the tenant's
 * next midnight (in its timezone, DST included). Every answer made of parts depends on the
 * tenant's calendar ("this month", budgets in effect today), so a cached copy must not outlive
 * that day; the same statement that reads the numbers computes it.
 */
export interface Dated<T> {
  readonly value: T;
  readonly secondsLeftToday: number;
}

/** Rollup rows of the range (see rollup-source.ts), shared by the parts that aggregate them. */
export function sourceCte(range: DashboardRange): Cte {
  const source = rollupSourceSql(range);
  return { name: 'src', sql: source.sql, bindings: source.bindings };
}

export async function runParts<P extends Record<string, Part<unknown>>>(
  trx: Knex.Transaction,
  parts: P,
): Promise<Results<P>> {
  return (await runPartsDated(trx, parts)).value;
}

/** Runs a single part. */
export async function runPart<T>(trx: Knex.Transaction, part: Part<T>): Promise<T> {
  return (await runParts(trx, { part })).part;
}

/** Runs a single part, with its answer's lifetime. */
export async function runPartDated<T>(trx: Knex.Transaction, part: Part<T>): Promise<Dated<T>> {
  const { value, secondsLeftToday } = await runPartsDated(trx, { part });
  return { value: value.part, secondsLeftToday };
}

/** Runs the parts as one statement; the answer comes with its lifetime (see Dated). */
export async function runPartsDated<P extends Record<string, Part<unknown>>>(
  trx: Knex.Transaction,
  parts: P,
): Promise<Dated<Results<P>>> {
  const ctes = new Map<string, Cte>([[TENANT.name, TENANT]]);
  for (const part of Object.values(parts)) {
    for (const cte of part.ctes) {
      const existing = ctes.get(cte.name);
      if (!existing) ctes.set(cte.name, cte);
      else if (
        existing.sql !== cte.sql ||
        JSON.stringify(existing.bindings) !== JSON.stringify(cte.bindings)
      ) {
        throw new Error(`dashboard parts define CTE ${cte.name} differently`);
      }
    }
  }
  const entries = Object.entries(parts);
  const sql =
    `with ${[...ctes.values()].map((c) => `${c.name} as (${c.sql})`).join(',\n')}\n` +
    `select ${entries.map(([key, part]) => `${part.expression} as "${key}"`).join(',\n')},\n` +
    `extract(epoch from ((t.today + 1)::timestamp at time zone t.timezone) - now())::float8 as "${DAY_LEFT}"\n` +
    `from tenant t`;
  const bindings = [
    ...[...ctes.values()].flatMap((c) => c.bindings),
    ...entries.flatMap(([, p]) => p.bindings),
  ];
  const result = await trx.raw<{ rows: Array<Record<string, unknown>> }>(sql, bindings);
  const row = result.rows[0];
  if (!row) throw new Error('dashboard: no tenant in scope (app.tenant_id is not set)');
  const out: Record<string, unknown> = {};
  for (const [key, part] of entries) out[key] = part.map(row[key] as never);
  return { value: out as Results<P>, secondsLeftToday: row[DAY_LEFT] as number };
}
