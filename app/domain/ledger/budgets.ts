import type { Knex } from 'knex';

import { Budget } from '../../db/models/index.js';
import { appendAudit } from '../../audit/audit-log.js';
import type { ActorContext } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { currencyExponent } from '../money/currency.js';
import { formatMoney } from '../money/decimal.js';
import { keysetPage, type Page } from '../paging/keyset.js';
import { findOwned } from './find-owned.js';
import { checkAmount, checkCurrency, checkDate, checkLimit, checkName, checkText } from './validate.js';
import { budgetView, type BudgetRow, type BudgetView } from './views.js';
import { CATEGORY_MAX_LENGTH, NAME_MAX_LENGTH } from './fields.js';

/**
 * Budgets: a spending cap for a period, per category (null = all expenses) in one currency.
 * Only the plan is stored; what was spent comes from the rollups at read time (dashboard).
 */
export interface NewBudget {
  readonly name: string;
  readonly category?: string | null;
  readonly currency: string;
  readonly total_amount: string;
  readonly start_date: string;
  readonly end_date: string;
}

export type BudgetChanges = Partial<NewBudget>;

export interface BudgetFilter {
  readonly category?: string;
  readonly currency?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

interface BudgetFields {
  name: string;
  category: string | null;
  currency: string;
  total_amount: string;
  start_date: string;
  end_date: string;
}

/** Checks a complete budget (after merging a patch), so cross-field rules always hold. */
function checkBudget(input: BudgetFields): BudgetFields {
  const currency = checkCurrency('currency', input.currency);
  const start = checkDate('start_date', input.start_date);
  const end = checkDate('end_date', input.end_date);
  if (end < start) throw new ValidationError('end_date', 'must not be before start_date');
  return {
    name: checkName('name', input.name, NAME_MAX_LENGTH),
    category: input.category === null ? null : checkName('category', input.category, CATEGORY_MAX_LENGTH),
    currency,
    total_amount: checkAmount('total_amount', input.total_amount, currency),
    start_date: start,
    end_date: end,
  };
}

function auditFields(b: BudgetFields): Record<string, unknown> {
  return { ...b, total_amount: formatMoney(b.total_amount, b.currency) };
}

export async function createBudget(
  trx: Knex.Transaction,
  ctx: ActorContext,
  input: NewBudget,
): Promise<BudgetView> {
  const fields = checkBudget({ ...input, category: input.category ?? null });
  const budget = await Budget.query(trx)
    .insert({ tenant_id: ctx.tenantId, ...fields })
    .returning('*');
  await appendAudit(trx, ctx, [
    { action: 'budget.create', resourceType: 'budget', resourceId: budget.id, details: auditFields(fields) },
  ]);
  return budgetView(budget);
}

export async function getBudget(trx: Knex.Transaction, id: string): Promise<BudgetView> {
  return budgetView(await findOwned(Budget, 'budget', trx, id));
}

export async function updateBudget(
  trx: Knex.Transaction,
  ctx: ActorContext,
  id: string,
  changes: BudgetChanges,
): Promise<BudgetView> {
  const keys = Object.keys(changes).filter((k) => changes[k as keyof BudgetChanges] !== undefined);
  if (keys.length === 0) {
    throw new ValidationError(
      'body',
      'must change at least one of name, category, currency, total_amount, start_date, end_date',
    );
  }
  const current = await findOwned(Budget, 'budget', trx, id, true);
  const before: BudgetFields = {
    name: current.name,
    category: current.category,
    currency: current.currency,
    total_amount: formatMoney(current.total_amount, current.currency),
    start_date: current.start_date,
    end_date: current.end_date,
  };
  const merged: BudgetFields = { ...before };
  for (const key of keys as Array<keyof BudgetFields>) {
    const value = changes[key];
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  // A carried-over total is written in the old currency's minor unit: a currency with fewer
  // decimals must come with a total written for it, not one that silently loses its minor unit.
  const carried = merged.total_amount.split('.')[1] ?? '';
  if (changes.total_amount === undefined && carried.length > currencyExponent(merged.currency)) {
    throw new ValidationError(
      'total_amount',
      `has more than ${currencyExponent(merged.currency)} decimal places for ${merged.currency}`,
    );
  }
  const after = checkBudget(merged);
  const updated = await Budget.query(trx).patch(after).where('id', id).returning('*').first();
  if (!updated) throw new NotFoundError('budget', id);

  const changed: Record<string, { from: unknown; to: unknown }> = {};
  const afterAudit = auditFields(after);
  const beforeAudit = auditFields(before);
  for (const key of Object.keys(afterAudit)) {
    if (afterAudit[key] !== beforeAudit[key]) changed[key] = { from: beforeAudit[key], to: afterAudit[key] };
  }
  await appendAudit(trx, ctx, [
    { action: 'budget.update', resourceType: 'budget', resourceId: id, details: { changes: changed } },
  ]);
  return budgetView(updated);
}

export async function deleteBudget(trx: Knex.Transaction, ctx: ActorContext, id: string): Promise<void> {
  const budget = await findOwned(Budget, 'budget', trx, id, true);
  await Budget.query(trx).deleteById(id);
  await appendAudit(trx, ctx, [
    {
      action: 'budget.delete',
      resourceType: 'budget',
      resourceId: id,
      details: auditFields({
        name: budget.name,
        category: budget.category,
        currency: budget.currency,
        total_amount: budget.total_amount,
        start_date: budget.start_date,
        end_date: budget.end_date,
      }),
    },
  ]);
}

/** Oldest first, keyset on (created_at, id). */
export async function listBudgets(
  trx: Knex.Transaction,
  ctx: ActorContext,
  filter: BudgetFilter,
): Promise<Page<BudgetView>> {
  return keysetPage<BudgetRow, BudgetView>(
    trx,
    ctx.tenantId,
    { kind: 'budgets', table: 'budgets', column: 'created_at', order: 'asc' },
    { limit: checkLimit(filter.limit), cursor: filter.cursor },
    (query) => {
      if (filter.category !== undefined)
        void query.where('category', checkText('category', filter.category, 1, CATEGORY_MAX_LENGTH));
      if (filter.currency !== undefined)
        void query.where('currency', checkCurrency('currency', filter.currency));
    },
    budgetView,
  );
}
