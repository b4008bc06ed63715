import type { Knex } from 'knex';

import { Account, ACCOUNT_TYPES, type AccountType } from '../../db/models/index.js';
import { appendAudit } from '../../audit/audit-log.js';
import type { ActorContext } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { keysetPage, type Page } from '../paging/keyset.js';
import { ensureAccountCapacity } from './account-capacity.js';
import { findOwned } from './find-owned.js';
import { checkCurrency, checkLimit, checkName, checkOneOf } from './validate.js';
import { accountView, type AccountRow, type AccountView } from './views.js';
import { NAME_MAX_LENGTH } from './fields.js';

/** Accounts: create, read, rename/retype, (de)activate, list; hard delete only while empty. */

export interface NewAccount {
  readonly name: string;
  readonly account_type: AccountType;
  readonly currency: string;
}

export interface AccountChanges {
  readonly name?: string;
  readonly account_type?: AccountType;
  readonly is_active?: boolean;
}

export interface AccountFilter {
  readonly is_active?: boolean;
  readonly account_type?: AccountType;
  readonly currency?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

function checkAccountType(field: string, value: string): AccountType {
  return checkOneOf(field, value, ACCOUNT_TYPES);
}

export async function createAccount(
  trx: Knex.Transaction,
  ctx: ActorContext,
  input: NewAccount,
): Promise<AccountView> {
  const row = {
    tenant_id: ctx.tenantId,
    name: checkName('name', input.name, NAME_MAX_LENGTH),
    account_type: checkAccountType('account_type', input.account_type),
    currency: checkCurrency('currency', input.currency),
  };
  await ensureAccountCapacity(trx, ctx);
  const account = await Account.query(trx).insert(row).returning('*');
  await appendAudit(trx, ctx, [
    {
      action: 'account.create',
      resourceType: 'account',
      resourceId: account.id,
      details: { name: account.name, account_type: account.account_type, currency: account.currency },
    },
  ]);
  return accountView(account);
}

export async function getAccount(trx: Knex.Transaction, id: string): Promise<AccountView> {
  return accountView(await findOwned(Account, 'account', trx, id));
}

export async function updateAccount(
  trx: Knex.Transaction,
  ctx: ActorContext,
  id: string,
  changes: AccountChanges,
  action = 'account.update',
): Promise<AccountView> {
  const current = await findOwned(Account, 'account', trx, id, true);
  const patch: { name?: string; account_type?: AccountType; is_active?: boolean } = {};
  if (changes.name !== undefined) patch.name = checkName('name', changes.name, NAME_MAX_LENGTH);
  if (changes.account_type !== undefined)
    patch.account_type = checkAccountType('account_type', changes.account_type);
  if (changes.is_active !== undefined) patch.is_active = changes.is_active;
  if (Object.keys(patch).length === 0) {
    throw new ValidationError('body', 'must change at least one of name, account_type, is_active');
  }
  if (patch.is_active === true && !current.is_active) await ensureAccountCapacity(trx, ctx);

  const updated = await Account.query(trx).patch(patch).where('id', id).returning('*').first();
  if (!updated) throw new NotFoundError('account', id);

  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of ['name', 'account_type', 'is_active'] as const) {
    if (patch[field] !== undefined && patch[field] !== current[field]) {
      changed[field] = { from: current[field], to: patch[field] };
    }
  }
  await appendAudit(trx, ctx, [
    { action, resourceType: 'account', resourceId: id, details: { changes: changed } },
  ]);
  return accountView(updated);
}

export async function deactivateAccount(
  trx: Knex.Transaction,
  ctx: ActorContext,
  id: string,
): Promise<AccountView> {
  return updateAccount(trx, ctx, id, { is_active: false }, 'account.deactivate');
}

/**
 * Removes an account that never had a transaction (created by mistake). An account with
 * history keeps it: deactivate instead, so balances and reports stay explainable.
 */
export async function deleteAccount(trx: Knex.Transaction, ctx: ActorContext, id: string): Promise<void> {
  const account = await findOwned(Account, 'account', trx, id, true);
  const used = await trx<{ id: string; tenant_id: string; account_id: string }>('transactions')
    .where({ tenant_id: ctx.tenantId, account_id: id })
    .first('id');
  if (used) {
    throw new ConflictError(
      `account ${id} has transactions and cannot be deleted; deactivate it instead (POST /financial/accounts/${id}/deactivate)`,
    );
  }
  await Account.query(trx).deleteById(id);
  await appendAudit(trx, ctx, [
    {
      action: 'account.delete',
      resourceType: 'account',
      resourceId: id,
      details: { name: account.name, account_type: account.account_type, currency: account.currency },
    },
  ]);
}

/** Oldest first, keyset on (created_at, id). */
export async function listAccounts(
  trx: Knex.Transaction,
  ctx: ActorContext,
  filter: AccountFilter,
): Promise<Page<AccountView>> {
  return keysetPage<AccountRow, AccountView>(
    trx,
    ctx.tenantId,
    { kind: 'accounts', table: 'accounts', column: 'created_at', order: 'asc' },
    { limit: checkLimit(filter.limit), cursor: filter.cursor },
    (query) => {
      if (filter.is_active !== undefined) void query.where('is_active', filter.is_active);
      if (filter.account_type !== undefined)
        void query.where('account_type', checkAccountType('account_type', filter.account_type));
      if (filter.currency !== undefined)
        void query.where('currency', checkCurrency('currency', filter.currency));
    },
    accountView,
  );
}
