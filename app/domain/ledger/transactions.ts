import { findOwned } from './find-owned.js';
import type { Knex } from 'knex';

import {
  Transaction,
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
  type TransactionStatus,
} from '../../db/models/index.js';
import { appendAudit } from '../../audit/audit-log.js';
import type { ActorContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { addDecimals, formatMoney } from '../money/decimal.js';
import { loadActiveAccounts } from './accounts-lookup.js';
import { keysetPage, type Page } from '../paging/keyset.js';
import {
  checkAmount,
  checkCurrency,
  checkOneOf,
  checkLimit,
  checkName,
  checkText,
  checkTimestamp,
  checkUuid,
} from './validate.js';
import { checkRangeOrder, parseTimeRange, rangeConditions } from '../time-range.js';
import { transactionView, type TransactionRow, type TransactionView } from './views.js';
import { CATEGORY_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, MAX_BATCH } from './fields.js';

/** Income and expense entries: single and batch create, read, filtered keyset list. */

export const DEFAULT_CATEGORY = 'uncategorized';

export type EntryType = 'income' | 'expense';
export type NewStatus = Exclude<TransactionStatus, 'void'>;

/** As received (strings checked here, so the CLI and seed get the API's rules). */
export interface NewTransaction {
  readonly account_id: string;
  readonly amount: string;
  readonly currency: string;
  /** income | expense; transfers have their own operation (transfers.ts). */
  readonly transaction_type: string;
  /** pending | posted (default posted). */
  readonly status?: string;
  readonly category?: string;
  readonly description?: string;
  readonly occurred_at: string;
}

export interface TransactionFilter {
  readonly account_id?: string;
  readonly category?: string;
  readonly type?: string;
  readonly status?: string;
  /** occurred_at range: a tenant-local day or a date-time with offset each end (see time-range.ts). */
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface BatchResult {
  count: number;
  transactions: TransactionView[];
}

interface InsertRow {
  tenant_id: string;
  account_id: string;
  amount: string;
  currency: string;
  transaction_type: EntryType;
  direction: 'credit' | 'debit';
  status: NewStatus;
  category: string;
  description: string;
  occurred_at: string;
  idempotency_key: string | null;
}

/**
 * The balance trigger adds each amount to its account's NUMERIC(24, 4) balance; past 10^20 that
 * fails with numeric_value_out_of_range (22003). Objection wraps the driver error (the code is
 * then on nativeError), knex does not: either way it is the client's amount, a 400 naming it.
 * The statement failed, so nothing was written and the request transaction rolls back.
 */
async function refuseBalanceOverflow<T>(insert: () => Promise<T>, field: string): Promise<T> {
  try {
    return await insert();
  } catch (error) {
    const e = error as { code?: unknown; nativeError?: { code?: unknown } };
    if (e.code === '22003' || e.nativeError?.code === '22003') {
      throw new ValidationError(
        field,
        "would take the account's balance past the largest amount it can hold",
      );
    }
    throw error;
  }
}

/** Validates one entry's own fields; `at` prefixes field names ("transactions.3."). */
function checkEntry(ctx: ActorContext, input: NewTransaction, at: string): InsertRow {
  const currency = checkCurrency(`${at}currency`, input.currency);
  if (input.transaction_type === 'transfer') {
    throw new ValidationError(
      `${at}transaction_type`,
      'must be income or expense; use POST /financial/transfers',
    );
  }
  const type = checkOneOf<EntryType>(`${at}transaction_type`, input.transaction_type, ['income', 'expense']);
  const status = checkOneOf<NewStatus>(`${at}status`, input.status ?? 'posted', ['pending', 'posted']);
  return {
    tenant_id: ctx.tenantId,
    account_id: checkUuid(`${at}account_id`, input.account_id),
    amount: checkAmount(`${at}amount`, input.amount, currency),
    currency,
    transaction_type: type,
    direction: type === 'income' ? 'credit' : 'debit',
    status,
    category: checkName(`${at}category`, input.category ?? DEFAULT_CATEGORY, CATEGORY_MAX_LENGTH),
    description: checkText(`${at}description`, input.description ?? '', 0, DESCRIPTION_MAX_LENGTH),
    occurred_at: checkTimestamp(`${at}occurred_at`, input.occurred_at),
    idempotency_key: null,
  };
}

/** Checks every row's account (visible, active) and that the row's currency is the account's. */
async function checkAccounts(
  trx: Knex.Transaction,
  ctx: ActorContext,
  rows: readonly InsertRow[],
  prefix: (i: number) => string,
) {
  const accounts = await loadActiveAccounts(
    trx,
    ctx.tenantId,
    rows.map((row, i) => ({ id: row.account_id, field: `${prefix(i)}account_id` })),
  );
  rows.forEach((row, i) => {
    const account = accounts.get(row.account_id);
    if (account && account.currency !== row.currency) {
      throw new ValidationError(
        `${prefix(i)}currency`,
        `must be the account's currency ${account.currency}, got ${row.currency}`,
      );
    }
  });
}

/**
 * One income or expense. `idempotencyKey` is only recorded on the row (which request created
 * it); replaying a repeated request is idempotency.ts's job, in the caller's transaction.
 */
export async function createTransaction(
  trx: Knex.Transaction,
  ctx: ActorContext,
  input: NewTransaction,
  idempotencyKey?: string,
): Promise<TransactionView> {
  const row = checkEntry(ctx, input, '');
  row.idempotency_key = idempotencyKey ?? null;
  await checkAccounts(trx, ctx, [row], () => '');
  const created = await refuseBalanceOverflow(
    async () => await Transaction.query(trx).insert(row).returning('*'),
    'amount',
  );
  await appendAudit(trx, ctx, [
    {
      action: 'transaction.create',
      resourceType: 'transaction',
      resourceId: created.id,
      details: {
        account_id: created.account_id,
        amount: formatMoney(row.amount, row.currency),
        currency: created.currency,
        transaction_type: created.transaction_type,
        status: created.status,
      },
    },
  ]);
  return transactionView(created);
}

/**
 * All-or-nothing: every entry is validated before anything is written, then one INSERT writes
 * them all, so the balance and rollup triggers run once for the whole batch.
 */
export async function createTransactions(
  trx: Knex.Transaction,
  ctx: ActorContext,
  inputs: readonly NewTransaction[],
): Promise<BatchResult> {
  if (inputs.length < 1 || inputs.length > MAX_BATCH) {
    throw new ValidationError(
      'transactions',
      `must hold between 1 and ${MAX_BATCH} transactions, got ${inputs.length}`,
    );
  }
  const prefix = (i: number): string => `transactions.${i}.`;
  const rows = inputs.map((input, i) => checkEntry(ctx, input, prefix(i)));
  await checkAccounts(trx, ctx, rows, prefix);
  const created = await refuseBalanceOverflow(
    async () => (await trx('transactions').insert(rows).returning('*')) as TransactionRow[],
    rows.length === 1 ? `${prefix(0)}amount` : 'transactions',
  );

  const totals = new Map<string, string[]>();
  for (const row of rows) totals.set(row.currency, [...(totals.get(row.currency) ?? []), row.amount]);
  await appendAudit(trx, ctx, [
    {
      action: 'transaction.batch_create',
      resourceType: 'transaction',
      resourceId: null,
      details: {
        count: created.length,
        totals: Object.fromEntries(
          [...totals].map(([currency, amounts]) => [currency, formatMoney(addDecimals(amounts), currency)]),
        ),
        transaction_ids: created.map((t) => t.id),
      },
    },
  ]);
  return { count: created.length, transactions: created.map(transactionView) };
}

export async function getTransaction(trx: Knex.Transaction, id: string): Promise<TransactionView> {
  return transactionView(await findOwned(Transaction, 'transaction', trx, id));
}

/** Newest first, keyset on (occurred_at, id) descending, matching the transactions indexes. */
export async function listTransactions(
  trx: Knex.Transaction,
  ctx: ActorContext,
  filter: TransactionFilter,
): Promise<Page<TransactionView>> {
  return keysetPage<TransactionRow, TransactionView>(
    trx,
    ctx.tenantId,
    { kind: 'transactions', table: 'transactions', column: 'occurred_at', order: 'desc' },
    { limit: checkLimit(filter.limit), cursor: filter.cursor },
    async (query) => {
      if (filter.account_id !== undefined)
        void query.where('account_id', checkUuid('account_id', filter.account_id));
      if (filter.category !== undefined)
        void query.where('category', checkText('category', filter.category, 1, CATEGORY_MAX_LENGTH));
      if (filter.type !== undefined)
        void query.where('transaction_type', checkOneOf('type', filter.type, TRANSACTION_TYPES));
      if (filter.status !== undefined)
        void query.where('status', checkOneOf('status', filter.status, TRANSACTION_STATUSES));
      const range = parseTimeRange(filter);
      await checkRangeOrder(trx, range);
      for (const condition of rangeConditions('occurred_at', range)) {
        void query.whereRaw(condition.sql, condition.bindings);
      }
    },
    transactionView,
  );
}
