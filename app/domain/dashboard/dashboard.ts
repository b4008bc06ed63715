import type { Knex } from 'knex';

import { accountsPart } from './accounts.js';
import { budgetsPart } from './budgets.js';
import type { RangeInput } from '../time-range.js';
import { dashboardRange } from './date-range.js';
import { runPartsDated, type Dated } from './sql-parts.js';
import { summaryPart } from './summary.js';
import { tenantInfoPart } from './tenant-info.js';
import { transactionsPart, type TransactionSummaryOptions } from './transactions.js';
import type { FullDashboard } from './types.js';

/**
 * The whole dashboard as ONE statement (see sql-parts.ts): every part sees the same snapshot
 * whatever the transaction's isolation level, and the tenant row and the range's rollup rows
 * are read once for all parts.
 */
export async function fullDashboard(
  trx: Knex.Transaction,
  input: RangeInput,
  options: TransactionSummaryOptions,
): Promise<FullDashboard> {
  return (await dashboardAnswer(trx, input, options)).value;
}

/** The whole dashboard with how long it stays true (see Dated), as /financial/dashboard caches it. */
export async function dashboardAnswer(
  trx: Knex.Transaction,
  input: RangeInput,
  options: TransactionSummaryOptions,
): Promise<Dated<FullDashboard>> {
  const range = await dashboardRange(trx, input);
  return runPartsDated(trx, {
    financial_summary: summaryPart(range),
    account_summaries: accountsPart(),
    transaction_summary: transactionsPart(range, options),
    // Only the budgets in effect today unless a range is asked for; /budgets still lists them all.
    budget_statuses: budgetsPart(range, { inEffectWhenUnranged: true }),
    tenant_info: tenantInfoPart(),
  });
}
