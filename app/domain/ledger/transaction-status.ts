import type { Knex } from 'knex';

import type { TransactionStatus } from '../../db/models/index.js';
import { appendAudit } from '../../audit/audit-log.js';
import type { ActorContext } from '../context.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { lockAccounts } from './accounts-lookup.js';
import { checkUuid } from './validate.js';
import { transactionView, type TransactionRow, type TransactionView } from './views.js';

/**
 * The only changes a recorded transaction may undergo: pending → posted (it settled) and
 * pending|posted → void (it was cancelled or entered by mistake). Amounts and accounts are
 * never edited; a correction is a void plus a new entry. Both legs of a transfer change
 * together, in one UPDATE, so the rollup trigger adjusts both balances at once.
 */
const ALLOWED: Readonly<Record<'posted' | 'void', readonly TransactionStatus[]>> = {
  posted: ['pending'],
  void: ['pending', 'posted'],
};

async function changeStatus(
  trx: Knex.Transaction,
  ctx: ActorContext,
  id: string,
  target: 'posted' | 'void',
): Promise<TransactionView> {
  checkUuid('id', id);
  const found = await trx<TransactionRow & { tenant_id: string }>('transactions')
    .where({ tenant_id: ctx.tenantId, id })
    .first('transfer_id');
  if (!found) throw new NotFoundError('transaction', id);
  const scope = (): Knex.QueryBuilder =>
    found.transfer_id
      ? trx('transactions').where({ tenant_id: ctx.tenantId, transfer_id: found.transfer_id })
      : trx('transactions').where({ tenant_id: ctx.tenantId, id });
  // Lock order is accounts (by id) then transactions (by id), the same as every ledger write,
  // so concurrent voids and transfers over the same accounts queue instead of deadlocking.
  // transfer_id and account_id never change, so reading them unlocked is safe.
  const legAccounts = (await scope().pluck('account_id')) as string[];
  await lockAccounts(trx, ctx.tenantId, legAccounts);
  const locked = (await scope().orderBy('id').forUpdate().select('*')) as TransactionRow[];
  const current = locked.find((row) => row.id === id);
  if (!current) throw new NotFoundError('transaction', id);
  if (!ALLOWED[target].includes(current.status)) {
    throw new ConflictError(
      current.status === target
        ? `transaction ${id} is already ${target}`
        : `transaction ${id} is ${current.status} and cannot become ${target}`,
    );
  }

  const updated = (await scope()
    .whereIn('status', ALLOWED[target])
    .update({ status: target })
    .returning('*')) as TransactionRow[];
  const self = updated.find((row) => row.id === id);
  if (!self) throw new Error(`transaction ${id} was not updated`);

  await appendAudit(trx, ctx, [
    {
      action: target === 'void' ? 'transaction.void' : 'transaction.post',
      resourceType: 'transaction',
      resourceId: id,
      details: {
        from_status: current.status,
        to_status: target,
        transfer_id: current.transfer_id,
        transaction_ids: updated.map((row) => row.id),
      },
    },
  ]);
  return transactionView(self);
}

export function voidTransaction(
  trx: Knex.Transaction,
  ctx: ActorContext,
  id: string,
): Promise<TransactionView> {
  return changeStatus(trx, ctx, id, 'void');
}

export function postTransaction(
  trx: Knex.Transaction,
  ctx: ActorContext,
  id: string,
): Promise<TransactionView> {
  return changeStatus(trx, ctx, id, 'posted');
}
