import type { Knex } from 'knex';

import { ValidationError } from './errors.js';

/**
 * The one `from`/`to` every endpoint filtering by time takes (transactions, audit log, dashboard).
 * Each end is either
 * - a day, "YYYY-MM-DD", in the tenant's timezone: `from` starts at its first instant, and `to`
 *   includes the whole day (the range ends at the next local midnight); or
 * - an RFC 3339 date-time with an offset ("2026-04-01T09:30:00Z", "…+05:30", at most
 *   milliseconds): that instant, `from` inclusive and `to` exclusive.
 * So every range is the half-open interval [start of from, end of to), and a range of days reads
 * as people say it ("from 2026-04-01 to 2026-04-30" includes the 30th). Either end may be left
 * open. `to` must not be before `from`; an empty range (from = to as instants) is allowed.
 */

/** A day of the years 0001-9999 (month and day in range; the calendar is checked separately). */
const DAY = '(?!0000)\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])';
/** Time of day with seconds, at most milliseconds, and an offset PostgreSQL accepts (under 16 h). */
const TIME = 'T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,3})?(?:Z|[+-](?:0\\d|1[0-5]):[0-5]\\d)';
/** A `from`/`to` that is a day (the route schemas carry these patterns, so clients see the rule). */
export const RANGE_DAY_PATTERN = `^${DAY}$`;
/** A `from`/`to` that is an instant. */
export const RANGE_INSTANT_PATTERN = `^${DAY}${TIME}$`;
const BOUND = new RegExp(`^(${DAY})(${TIME})?$`);

export type RangeBound =
  { readonly kind: 'day'; readonly value: string } | { readonly kind: 'instant'; readonly value: string };

export interface TimeRange {
  readonly from?: RangeBound;
  readonly to?: RangeBound;
}

/** from/to as a query string or a caller passes them. */
export interface RangeInput {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

function realDay(day: string): boolean {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const back = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  back.setUTCFullYear(year, month - 1, date);
  return back.getUTCMonth() === month - 1 && back.getUTCDate() === date;
}

function parseBound(field: 'from' | 'to', value: string): RangeBound {
  const match = BOUND.exec(value);
  if (!match) {
    throw new ValidationError(
      field,
      'must be a day "YYYY-MM-DD" or a date-time with offset like "2026-04-01T09:30:00Z"',
    );
  }
  if (!realDay(match[1] as string)) throw new ValidationError(field, 'is not a real calendar day');
  return match[2] === undefined ? { kind: 'day', value } : { kind: 'instant', value };
}

/**
 * Checks and classifies from/to. The order of two days or two instants is checked here; a day
 * against an instant needs the tenant's timezone, so checkRangeOrder does that in the database.
 */
export function parseTimeRange(input: RangeInput): TimeRange {
  const from = input.from === undefined ? undefined : parseBound('from', input.from);
  const to = input.to === undefined ? undefined : parseBound('to', input.to);
  if (from && to && from.kind === to.kind) {
    const before =
      from.kind === 'day' ? to.value < from.value : Date.parse(to.value) < Date.parse(from.value);
    if (before) throw notBefore();
  }
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

function notBefore(): ValidationError {
  return new ValidationError('to', 'must not be before from');
}

/** A stable cache-key fragment: '<from>:<to>' with '' for an open end. */
export function rangeKey(range: TimeRange): string {
  return `${range.from?.value ?? ''}:${range.to?.value ?? ''}`;
}

export interface SqlFragment {
  readonly sql: string;
  readonly bindings: string[];
}

/** The tenant's timezone in a tenant-scoped transaction, as a scalar subquery (evaluated once). */
export const TENANT_TIMEZONE_SQL =
  '(select timezone from tenants where id = (select findash_current_tenant()))';

/**
 * The first instant a bound lets in, as SQL (timestamptz); `tz` is a SQL expression for the
 * tenant's timezone. A day starts at its local midnight (or, where DST skips midnight, at the
 * first instant of the day), exactly where the rollups' local days start.
 */
export function startSql(bound: RangeBound, tz: string = TENANT_TIMEZONE_SQL): SqlFragment {
  return bound.kind === 'day'
    ? { sql: `((?::date)::timestamp at time zone ${tz})`, bindings: [bound.value] }
    : { sql: '(?::timestamptz)', bindings: [bound.value] };
}

/** The first instant after the range a `to` bound ends: a day's next midnight, or the instant. */
export function endSql(bound: RangeBound, tz: string = TENANT_TIMEZONE_SQL): SqlFragment {
  return bound.kind === 'day'
    ? { sql: `((?::date + 1)::timestamp at time zone ${tz})`, bindings: [bound.value] }
    : { sql: '(?::timestamptz)', bindings: [bound.value] };
}

/** `column >= start and column < end` for the bounds present (each an index range condition). */
export function rangeConditions(column: string, range: TimeRange, tz?: string): SqlFragment[] {
  const conditions: SqlFragment[] = [];
  if (range.from) {
    const start = startSql(range.from, tz);
    conditions.push({ sql: `${column} >= ${start.sql}`, bindings: start.bindings });
  }
  if (range.to) {
    const end = endSql(range.to, tz);
    conditions.push({ sql: `${column} < ${end.sql}`, bindings: end.bindings });
  }
  return conditions;
}

/** The local days a range touches and whether its ends cut a day, in the tenant's calendar. */
export interface LocalDays {
  /** The local day holding the range's first instant (undefined: open start). */
  readonly firstDay?: string;
  /** True when the range starts after the first instant of firstDay. */
  readonly startsMidDay: boolean;
  /** The local day holding the range's last instant (undefined: open end). */
  readonly lastDay?: string;
  /** True when the range ends before the end of lastDay. */
  readonly endsMidDay: boolean;
}

interface FactsRow {
  before: boolean | null;
  first_day: string | null;
  starts_mid_day: boolean | null;
  last_day: string | null;
  ends_mid_day: boolean | null;
}

/**
 * A day `to` is before `from` when the day ends by the time `from` starts; an instant `to`
 * when it is earlier than that start (equal is an empty range, allowed as on the lists).
 */
async function rangeFacts(trx: Knex.Transaction, range: TimeRange): Promise<FactsRow> {
  const start = range.from ? startSql(range.from, 'b.tz') : { sql: 'null::timestamptz', bindings: [] };
  const end = range.to ? endSql(range.to, 'b.tz') : { sql: 'null::timestamptz', bindings: [] };
  const before = range.to?.kind === 'day' ? 'e <= s' : 'e < s';
  const result = await trx.raw<{ rows: FactsRow[] }>(
    // Clamped to the years 0001-9999 a day can have: an instant near either end may fall outside locally.
    `select ${before} as before,
            greatest((s at time zone tz)::date, '0001-01-01')::text as first_day,
            s <> (((s at time zone tz)::date)::timestamp at time zone tz) as starts_mid_day,
            least(case when e = (((e at time zone tz)::date)::timestamp at time zone tz)
                       then (e at time zone tz)::date - 1 else (e at time zone tz)::date end,
                  '9999-12-31')::text as last_day,
            e <> (((e at time zone tz)::date)::timestamp at time zone tz) as ends_mid_day
       from (select b.tz, ${start.sql} as s, ${end.sql} as e
               from (select ${TENANT_TIMEZONE_SQL} as tz) b) x`,
    [...start.bindings, ...end.bindings],
  );
  const row = result.rows[0];
  if (!row) throw new Error('time range: no tenant in scope (app.tenant_id is not set)');
  return row;
}

/** Refuses a range whose `to` is before its `from`; only a day against an instant asks the database. */
export async function checkRangeOrder(trx: Knex.Transaction, range: TimeRange): Promise<void> {
  if (!range.from || !range.to || range.from.kind === range.to.kind) return;
  if ((await rangeFacts(trx, range)).before) throw notBefore();
}

/**
 * The local days of a range (checking its order too). Days are known without a query; an
 * instant's local day comes from the database, with the same timezone rules the rollups use.
 */
export async function localDays(trx: Knex.Transaction, range: TimeRange): Promise<LocalDays> {
  if (range.from?.kind !== 'instant' && range.to?.kind !== 'instant') {
    return {
      ...(range.from ? { firstDay: range.from.value } : {}),
      startsMidDay: false,
      ...(range.to ? { lastDay: range.to.value } : {}),
      endsMidDay: false,
    };
  }
  const facts = await rangeFacts(trx, range);
  if (facts.before) throw notBefore();
  return {
    ...(range.from ? { firstDay: facts.first_day as string } : {}),
    startsMidDay: facts.starts_mid_day === true,
    ...(range.to ? { lastDay: facts.last_day as string } : {}),
    endsMidDay: facts.ends_mid_day === true,
  };
}
