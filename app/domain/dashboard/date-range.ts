import type { Knex } from 'knex';

import {
  localDays,
  parseTimeRange,
  type RangeBound,
  type RangeInput,
  type TimeRange,
} from '../time-range.js';

/**
 * An inclusive range of calendar days in the tenant's timezone; a missing end is open.
 * Dates stay 'YYYY-MM-DD' strings end to end: the database turns them into instants with the
 * tenant's timezone, so no server clock or UTC offset shifts a day.
 */
export interface DateRange {
  readonly from?: string;
  readonly to?: string;
}

/** Part of a local day the range cuts, read from the raw rows: [start of from, end of to). */
export interface Slice {
  readonly from: RangeBound;
  readonly to: RangeBound;
}

/**
 * A from/to (see app/domain/time-range.ts) as the dashboard reads it: the whole local days inside
 * it come from the rollups; where a date-time cuts a day, that part of the day comes from the raw
 * rows (at most two slices, each within one day). Budgets and the trend go by the days it touches.
 */
export interface DashboardRange {
  /** The range as asked: recent transactions filter on its instants. */
  readonly range: TimeRange;
  /** Whole days inside the range; null when there are none. */
  readonly wholeDays: DateRange | null;
  readonly slices: readonly Slice[];
  /** The first and last local day the range touches (undefined: open end). */
  readonly firstDay?: string;
  readonly lastDay?: string;
}

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a valid calendar date, or undefined. */
export function dayNumber(value: string): number | undefined {
  const match = DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return undefined;
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const back = new Date(0);
  back.setUTCFullYear(year, month - 1, day);
  const ms = back.getTime();
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    return undefined;
  }
  return Math.round(ms / DAY_MS);
}

export function dayString(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

function addDays(day: string, n: number): string {
  return dayString((dayNumber(day) ?? 0) + n);
}

/**
 * Checks from/to (a 400 naming the field) and splits the range into whole local days and cut
 * days. Only a range with a date-time asks the database, for the local days of its instants.
 */
export async function dashboardRange(trx: Knex.Transaction, input: RangeInput): Promise<DashboardRange> {
  const range = parseTimeRange(input);
  const days = await localDays(trx, range);
  const { firstDay, lastDay } = days;
  const from = firstDay === undefined || !days.startsMidDay ? firstDay : addDays(firstDay, 1);
  const to = lastDay === undefined || !days.endsMidDay ? lastDay : addDays(lastDay, -1);
  const slices: Slice[] = [];
  if (range.from && range.to && days.startsMidDay && days.endsMidDay && firstDay === lastDay) {
    slices.push({ from: range.from, to: range.to });
  } else {
    if (range.from && firstDay !== undefined && days.startsMidDay) {
      slices.push({ from: range.from, to: { kind: 'day', value: firstDay } });
    }
    if (range.to && lastDay !== undefined && days.endsMidDay) {
      slices.push({ from: { kind: 'day', value: lastDay }, to: range.to });
    }
  }
  const empty = from !== undefined && to !== undefined && from > to;
  return {
    range,
    wholeDays: empty
      ? null
      : { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) },
    slices,
    ...(firstDay === undefined ? {} : { firstDay }),
    ...(lastDay === undefined ? {} : { lastDay }),
  };
}
