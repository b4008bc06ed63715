import { rangeKey, type TimeRange } from '../domain/time-range.js';

/** The dashboard answers the API serves (GET /financial/dashboard and its parts). */
export type DashboardView = 'dashboard' | 'summary' | 'accounts' | 'transactions' | 'budgets';

const NO_RANGE: TimeRange = {};

/**
 * Which answer an entry holds, after the tenant's `dashboard:{tenant_type}:{tenant_id}:{generation}:`
 * (dashboard-cache.ts): the view, the from/to it was asked for, and — for answers with recent
 * transactions — whether their descriptions are in it. Descriptions are free text only roles
 * with transactions:read may see, so one role's cached answer is never served to another.
 */
export function answerKey(view: DashboardView, range: TimeRange = NO_RANGE, descriptions?: boolean): string {
  const key = `${view}:${rangeKey(range)}`;
  if (descriptions === undefined) return key;
  return descriptions ? `${key}:full` : `${key}:redacted`;
}
