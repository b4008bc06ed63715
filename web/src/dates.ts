/**
 * Calendar dates (YYYY-MM-DD) in the tenant's timezone, for the range picker and the
 * transactions list: the API's from/to take such days as they are (the tenant's calendar, `to`
 * included), so they are sent unchanged.
 */
export interface DateRange {
  readonly from: string;
  readonly to: string;
}

/** Today in `timeZone`, as YYYY-MM-DD. */
export function today(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

function parts(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number);
  return [y ?? 1970, m ?? 1, d ?? 1];
}

function iso(y: number, m: number, d: number): string {
  return new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
}

export function monthStart(date: string, monthsBack = 0): string {
  const [y, m] = parts(date);
  return iso(y, m - monthsBack, 1);
}

export interface Preset {
  readonly id: string;
  readonly label: string;
  range(today: string): DateRange | null;
}

export const PRESETS: readonly Preset[] = [
  { id: 'month', label: 'This month', range: (t) => ({ from: monthStart(t), to: t }) },
  { id: '3m', label: 'Last 3 months', range: (t) => ({ from: monthStart(t, 2), to: t }) },
  { id: 'ytd', label: 'Year to date', range: (t) => ({ from: `${t.slice(0, 4)}-01-01`, to: t }) },
  { id: '12m', label: 'Last 12 months', range: (t) => ({ from: monthStart(t, 11), to: t }) },
  { id: 'all', label: 'All time', range: () => null },
];

/** The UTC offset of `timeZone` at that local midnight, as "+02:00" (what ISO 8601 instants carry). */
export function offsetAt(date: string, timeZone: string): string {
  const [y, m, d] = parts(date);
  // The offset at noon UTC of that day is the day's offset except on the rare switch day.
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(new Date(Date.UTC(y, m - 1, d, 12)))
    .find((p) => p.type === 'timeZoneName')?.value;
  const match = /GMT([+-]\d{2}:\d{2})?/.exec(name ?? '');
  return match?.[1] ?? '+00:00';
}

/** A datetime-local value ("2026-11-25T09:30") read in the tenant's timezone, as ISO 8601 with offset. */
export function localToInstant(local: string, timeZone: string): string {
  const seconds = local.length === 16 ? `${local}:00` : local;
  return `${seconds}${offsetAt(local.slice(0, 10), timeZone)}`;
}

/** Now in `timeZone`, as a datetime-local value ("2026-11-25T09:30"). */
export function nowLocal(timeZone: string): string {
  const fields = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date());
  const get = (type: string) => fields.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}
