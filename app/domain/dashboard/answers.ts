import type { Knex } from 'knex';

import type { RangeInput } from '../time-range.js';
import { accountsPart } from './accounts.js';
import { budgetsPart } from './budgets.js';
import { dashboardParts } from './dashboard.js';
import { dashboardRange } from './date-range.js';
import { runPartDated, runPartsDated, type Dated } from './sql-parts.js';
import { summaryPart } from './summary.js';
import { transactionsPart, type TransactionSummaryOptions } from './transactions.js';
import type {
  AccountSummary,
  BudgetStatus,
  FinancialSummary,
  FullDashboard,
  TransactionSummary,
} from './types.js';

/**
 * The answers GET /financial/dashboard and its parts serve, each with how long it stays true
 * (the tenant's day, read by the same statement: see Dated). The same numbers as fullDashboard,
 * financialSummary, accountSummaries, transactionSummary and budgetStatuses.
 */
export async function dashboardAnswer(
  trx: Knex.Transaction,
  input: RangeInput,
  options: TransactionSummaryOptions,
): Promise<Dated<FullDashboard>> {
  return runPartsDated(trx, dashboardParts(await dashboardRange(trx, input), options));
}

export async function summaryAnswer(
  trx: Knex.Transaction,
  input: RangeInput,
): Promise<Dated<FinancialSummary>> {
  return runPartDated(trx, summaryPart(await dashboardRange(trx, input)));
}

export function accountsAnswer(trx: Knex.Transaction): Promise<Dated<AccountSummary[]>> {
  return runPartDated(trx, accountsPart());
}

export async function transactionsAnswer(
  trx: Knex.Transaction,
  input: RangeInput,
  options: TransactionSummaryOptions,
): Promise<Dated<TransactionSummary>> {
  return runPartDated(trx, transactionsPart(await dashboardRange(trx, input), options));
}

export async function budgetsAnswer(
  trx: Knex.Transaction,
  input: RangeInput,
): Promise<Dated<BudgetStatus[]>> {
  return runPartDated(trx, budgetsPart(await dashboardRange(trx, input)));
}
