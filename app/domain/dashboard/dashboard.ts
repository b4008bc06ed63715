import type { Knex } from 'knex';

import { accountSummaries } from './accounts.js';
import { budgetStatuses } from './budgets.js';
import type { DateRange } from './date-range.js';
import { financialSummary } from './summary.js';
import { tenantInfo } from './tenant-info.js';
import { transactionSummary, type TransactionSummaryOptions } from './transactions.js';
import type { FullDashboard } from './types.js';

/**
 * The whole dashboard from one tenant-scoped transaction (callers open it read-only), so every
 * part sees the same snapshot. A connection runs one statement at a time, so the parts run in
 * sequence: five statements in all.
 */
export async function fullDashboard(
  trx: Knex.Transaction,
  range: DateRange,
  options: TransactionSummaryOptions,
): Promise<FullDashboard> {
  const financial_summary = await financialSummary(trx, range);
  const account_summaries = await accountSummaries(trx);
  const transaction_summary = await transactionSummary(trx, range, options);
  const budget_statuses = await budgetStatuses(trx, range);
  const tenant_info = await tenantInfo(trx);
  return { financial_summary, account_summaries, transaction_summary, budget_statuses, tenant_info };
}
