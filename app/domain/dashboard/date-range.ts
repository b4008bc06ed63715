import { ValidationError } from '../errors.js';

/**
 * An inclusive range of calendar days in the tenant's timezone; a missing end is open.
 * Dates stay 'YYYY-MM-DD' strings end to end: the database turns them into instants with the
 * tenant's timezone, so no server clock or UTC offset shifts a day.
 */
export interface DateRange {
  readonly from?: string;
  readonly to?: string;
}

const DAY_MS = 86_400_000;
/** Five calendar years, counted on the calendar (2020-02-29 → 2025-02-28 is allowed). */
const MAX_YEARS = 5;
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

/** Adds calendar years, clamping Feb 29 to Feb 28. */
function addYears(value: string, years: number): string {
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y + years, m, 0)).getUTCDate();
  return dayString(Math.round(Date.UTC(y + years, m - 1, Math.min(d, lastDay)) / DAY_MS));
}

/**
 * Validates the optional `from`/`to` query parameters. Errors name the offending field so the
 * client knows which one to fix; schema validation already checked the shape, this checks that
 * the day exists, the order, and the span.
 */
export function parseDateRange(query: { from?: string | undefined; to?: string | undefined }): DateRange {
  const range: { from?: string; to?: string } = {};
  if (query.from !== undefined) {
    if (dayNumber(query.from) === undefined) throw new ValidationError('from', 'must be a date YYYY-MM-DD');
    range.from = query.from;
  }
  if (query.to !== undefined) {
    if (dayNumber(query.to) === undefined) throw new ValidationError('to', 'must be a date YYYY-MM-DD');
    range.to = query.to;
  }
  if (range.from !== undefined && range.to !== undefined) {
    if (range.from > range.to) throw new ValidationError('from', 'must not be after to');
    if (range.to > addYears(range.from, MAX_YEARS)) {
      throw new ValidationError('to', `must be at most ${MAX_YEARS} years after from`);
    }
  }
  return range;
}

/** A stable cache-key fragment: '<from>:<to>' with '' for an open end. */
export function rangeKey(range: DateRange): string {
  return `${range.from ?? ''}:${range.to ?? ''}`;
}
