import { randomUUID } from 'node:crypto';

import type { Knex } from 'knex';

import { appendAudit } from '../../audit/audit-log.js';
import type { ActorContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { formatMoney } from '../money/decimal.js';
import { loadActiveAccounts } from './accounts-lookup.js';
import type { NewStatus } from './transactions.js';
import {
  checkAmount,
  checkCurrency,
  checkName,
  checkOneOf,
  checkText,
  checkTimestamp,
  checkUuid,
} from './validate.js';
import { transactionView, type TransactionRow, type TransactionView } from './views.js';
import { CATEGORY_MAX_LENGTH, DESCRIPTION_MAX_LENGTH } from './fields.js';

/** The category of a transfer's legs unless the client names one. */
export const TRANSFER_CATEGORY = 'transfer';

export interface NewTransfer {
  readonly from_account_id: string;
  readonly to_account_id: string;
  readonly amount: string;
  readonly currency: string;
  /** pending | posted (default posted). */
  readonly status?: string;
  readonly category?: string;
  readonly description?: string;
  readonly occurred_at: string;
}

export interface TransferView {
  transfer_id: string;
  debit: TransactionView;
  credit: TransactionView;
}

/**
 * A transfer moves money between two of the tenant's accounts in the same currency: a debit
 * leg on the source and a credit leg on the destination, sharing one transfer_id, written in one
 * statement. The legs are voided or posted together (see transaction-status.ts), so a transfer
 * never creates or destroys money.
 */
export async function createTransfer(
  trx: Knex.Transaction,
  ctx: ActorContext,
  input: NewTransfer,
): Promise<TransferView> {
  const fromId = checkUuid('from_account_id', input.from_account_id);
  const toId = checkUuid('to_account_id', input.to_account_id);
  if (fromId === toId) throw new ValidationError('to_account_id', 'must differ from from_account_id');
  const currency = checkCurrency('currency', input.currency);
  const amount = checkAmount('amount', input.amount, currency);
  const status = checkOneOf<NewStatus>('status', input.status ?? 'posted', ['pending', 'posted']);
  const category = checkName('category', input.category ?? TRANSFER_CATEGORY, CATEGORY_MAX_LENGTH);
  const description = checkText('description', input.description ?? '', 0, DESCRIPTION_MAX_LENGTH);
  const occurredAt = checkTimestamp('occurred_at', input.occurred_at);

  const accounts = await loadActiveAccounts(trx, ctx.tenantId, [
    { id: fromId, field: 'from_account_id' },
    { id: toId, field: 'to_account_id' },
  ]);
  for (const [id, field] of [
    [fromId, 'from_account_id'],
    [toId, 'to_account_id'],
  ] as const) {
    const accountCurrency = accounts.get(id)?.currency;
    if (accountCurrency !== currency) {
      throw new ValidationError(
        'currency',
        `must be the currency of ${field} (${accountCurrency ?? '?'}), got ${currency}`,
      );
    }
  }

  const transferId = randomUUID();
  const leg = (accountId: string, direction: 'debit' | 'credit') => ({
    tenant_id: ctx.tenantId,
    account_id: accountId,
    amount,
    currency,
    transaction_type: 'transfer',
    direction,
    status,
    category,
    description,
    occurred_at: occurredAt,
    transfer_id: transferId,
  });
  const rows = (await trx('transactions')
    .insert([leg(fromId, 'debit'), leg(toId, 'credit')])
    .returning('*')) as TransactionRow[];
  const debit = rows.find((r) => r.direction === 'debit');
  const credit = rows.find((r) => r.direction === 'credit');
  if (!debit || !credit) throw new Error('transfer insert did not return both legs');

  await appendAudit(trx, ctx, [
    {
      action: 'transfer.create',
      resourceType: 'transfer',
      resourceId: transferId,
      details: {
        from_account_id: fromId,
        to_account_id: toId,
        amount: formatMoney(amount, currency),
        currency,
        status,
        transaction_ids: [debit.id, credit.id],
      },
    },
  ]);
  return { transfer_id: transferId, debit: transactionView(debit), credit: transactionView(credit) };
}
