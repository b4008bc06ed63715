import { endSql, startSql } from '../time-range.js';
import { dayNumber, dayString, type DashboardRange, type DateRange } from './date-range.js';
import { CURRENT_TENANT } from './current-tenant.js';

/**
 * Where the dashboard reads a date range from: whole months inside the range come from
 * transaction_rollups_monthly (a few dozen rows per month), and only the partial months at the
 * edges come from transaction_rollups_daily. Both are in the tenant's timezone and exclude void
 * rows, so the union equals an aggregation of the raw rows in the range, at a fraction of the cost.
 * Where a date-time cuts a day, that part of the day is aggregated from the raw rows the same way.
 */
export interface RollupSegments {
  /** Whole months [monthFrom, monthTo) — undefined bound means open; absent means none. */
  readonly months?: { readonly from?: string; readonly toExclusive?: string };
  /** Inclusive day ranges at the edges of the range. */
  readonly days: ReadonlyArray<{ readonly from: string; readonly to: string }>;
}

function firstOfMonth(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

function nextMonth(firstDay: string): string {
  const [y, m] = firstDay.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

function addDays(day: string, n: number): string {
  return dayString((dayNumber(day) ?? 0) + n);
}

export function rollupSegments(range: DateRange): RollupSegments {
  const { from, to } = range;
  // First whole month starting on or after `from`; first month start after the month holding `to`.
  const monthFrom =
    from === undefined ? undefined : from.endsWith('-01') ? from : nextMonth(firstOfMonth(from));
  const monthTo = to === undefined ? undefined : firstOfMonth(addDays(to, 1));
  const hasMonths = monthFrom === undefined || monthTo === undefined || monthFrom < monthTo;
  if (!hasMonths) {
    return { days: [{ from: from as string, to: to as string }] };
  }
  const days: Array<{ from: string; to: string }> = [];
  if (from !== undefined && monthFrom !== undefined && from < monthFrom) {
    days.push({ from, to: addDays(monthFrom, -1) });
  }
  if (to !== undefined && monthTo !== undefined && monthTo <= to) {
    days.push({ from: monthTo, to });
  }
  return {
    months: {
      ...(monthFrom === undefined ? {} : { from: monthFrom }),
      ...(monthTo === undefined ? {} : { toExclusive: monthTo }),
    },
    days,
  };
}

export interface SqlFragment {
  readonly sql: string;
  readonly bindings: Array<string | number | null>;
}

const COLUMNS = 'account_id, category, transaction_type, direction, status, currency, total, count';
/** The tenant's timezone, from the tenant CTE every dashboard statement has (sql-parts.ts). */
const TENANT_TIMEZONE = '(select timezone from tenant)';

/**
 * A SELECT yielding (month, account_id, category, transaction_type, direction, status, currency,
 * total, count) for the range, meant as a CTE body. Each part filters on the leading
 * (tenant_id, month|day) of the rollup primary keys, or (tenant_id, occurred_at) of the raw
 * rows for a cut day, so it is an index range scan.
 */
export function rollupSourceSql(range: DashboardRange): SqlFragment {
  const parts: string[] = [];
  const bindings: Array<string | number | null> = [];
  if (range.wholeDays) wholeDaysSql(range.wholeDays, parts, bindings);
  for (const slice of range.slices) {
    // The transactions index on (tenant_id, occurred_at) bounds this to part of one day.
    const start = startSql(slice.from, TENANT_TIMEZONE);
    const end = endSql(slice.to, TENANT_TIMEZONE);
    parts.push(
      `select date_trunc('month', x.occurred_at at time zone ${TENANT_TIMEZONE})::date as month,` +
        ` x.account_id, x.category, x.transaction_type, x.direction, x.status, x.currency,` +
        ` sum(x.amount) as total, count(*) as count from transactions x` +
        ` where x.tenant_id = ${CURRENT_TENANT} and x.status <> 'void'` +
        ` and x.occurred_at >= ${start.sql} and x.occurred_at < ${end.sql}` +
        ` group by 1, 2, 3, 4, 5, 6, 7`,
    );
    bindings.push(...start.bindings, ...end.bindings);
  }
  // A range with no day and no slice (e.g. from = to) still yields the columns, and no row.
  if (parts.length === 0) {
    parts.push(`select month, ${COLUMNS} from transaction_rollups_monthly where false`);
  }
  return { sql: parts.join(' union all '), bindings };
}

function wholeDaysSql(range: DateRange, parts: string[], bindings: Array<string | number | null>): void {
  const segments = rollupSegments(range);
  if (segments.months) {
    let sql = `select month, ${COLUMNS} from transaction_rollups_monthly where tenant_id = ${CURRENT_TENANT}`;
    if (segments.months.from !== undefined) {
      sql += ` and month >= ?::date`;
      bindings.push(segments.months.from);
    }
    if (segments.months.toExclusive !== undefined) {
      sql += ` and month < ?::date`;
      bindings.push(segments.months.toExclusive);
    }
    parts.push(sql);
  }
  for (const days of segments.days) {
    parts.push(
      `select date_trunc('month', day)::date as month, ${COLUMNS} from transaction_rollups_daily` +
        ` where tenant_id = ${CURRENT_TENANT} and day between ?::date and ?::date`,
    );
    bindings.push(days.from, days.to);
  }
}
