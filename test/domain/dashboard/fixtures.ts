import { randomUUID } from 'node:crypto';

import type { Knex } from 'knex';

import { asPlatform, setTenant } from '../../../app/db/tenant-scope.js';

/**
 * Hand-built ledger data for dashboard tests, written as the schema owner the way any writer
 * does (RLS is forced, so every write sets app.tenant_id); balances and rollups come from the
 * real triggers.
 */
let counter = 0;

export async function createTenantRow(
  owner: Knex,
  options: { name?: string; timezone?: string; baseCurrency?: string; type?: 'user' | 'organization' } = {},
): Promise<string> {
  counter += 1;
  const name = options.name ?? `dash-${process.pid}-${counter}-${randomUUID().slice(0, 6)}`;
  // A plain insert: the tenant service's zone check (Intl, Node 20's ICU) rejects some IANA
  // names PostgreSQL knows, such as Asia/Kolkata (ICU calls it Asia/Calcutta).
  return asPlatform(owner, async (trx) => {
    const [row] = await trx('tenants')
      .insert({
        name,
        type: options.type ?? 'organization',
        display_name: `Tenant ${name}`,
        base_currency: options.baseCurrency ?? 'USD',
        timezone: options.timezone ?? 'UTC',
      })
      .returning<Array<{ id: string }>>('id');
    return row?.id ?? '';
  });
}

/** Runs writes for one tenant as the owner, in one transaction. */
export function asTenant<T>(
  owner: Knex,
  tenantId: string,
  work: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  return owner.transaction(async (trx) => {
    await setTenant(trx, tenantId);
    return work(trx);
  });
}

export interface AccountSpec {
  name: string;
  currency: string;
  account_type?: string;
  is_active?: boolean;
}

export async function addAccount(
  trx: Knex.Transaction,
  tenantId: string,
  spec: AccountSpec,
): Promise<string> {
  const [row] = await trx('accounts')
    .insert({
      tenant_id: tenantId,
      name: spec.name,
      currency: spec.currency,
      account_type: spec.account_type ?? 'checking',
      is_active: spec.is_active ?? true,
    })
    .returning<Array<{ id: string }>>('id');
  return row?.id ?? '';
}

export interface TransactionSpec {
  account: string;
  amount: string;
  currency: string;
  type: 'income' | 'expense';
  at: string;
  status?: 'pending' | 'posted' | 'void';
  category?: string;
  description?: string;
}

export async function addTransaction(
  trx: Knex.Transaction,
  tenantId: string,
  spec: TransactionSpec,
): Promise<string> {
  const [row] = await trx('transactions')
    .insert({
      tenant_id: tenantId,
      account_id: spec.account,
      amount: spec.amount,
      currency: spec.currency,
      transaction_type: spec.type,
      direction: spec.type === 'income' ? 'credit' : 'debit',
      status: spec.status ?? 'posted',
      category: spec.category ?? 'uncategorized',
      description: spec.description ?? '',
      occurred_at: spec.at,
    })
    .returning<Array<{ id: string }>>('id');
  return row?.id ?? '';
}

/** Both legs of a transfer between two accounts of the same currency. */
export async function addTransfer(
  trx: Knex.Transaction,
  tenantId: string,
  spec: {
    from: string;
    to: string;
    amount: string;
    currency: string;
    at: string;
    status?: 'pending' | 'posted' | 'void';
  },
): Promise<string> {
  const transferId = randomUUID();
  const leg = (account: string, direction: 'credit' | 'debit') => ({
    tenant_id: tenantId,
    account_id: account,
    amount: spec.amount,
    currency: spec.currency,
    transaction_type: 'transfer',
    direction,
    status: spec.status ?? 'posted',
    category: 'transfer',
    occurred_at: spec.at,
    transfer_id: transferId,
  });
  await trx('transactions').insert([leg(spec.from, 'debit'), leg(spec.to, 'credit')]);
  return transferId;
}

export interface BudgetSpec {
  name: string;
  category: string | null;
  currency: string;
  total: string;
  start: string;
  end: string;
}

export async function addBudget(trx: Knex.Transaction, tenantId: string, spec: BudgetSpec): Promise<string> {
  const [row] = await trx('budgets')
    .insert({
      tenant_id: tenantId,
      name: spec.name,
      category: spec.category,
      currency: spec.currency,
      total_amount: spec.total,
      start_date: spec.start,
      end_date: spec.end,
    })
    .returning<Array<{ id: string }>>('id');
  return row?.id ?? '';
}

export async function addRate(
  owner: Knex,
  base: string,
  quote: string,
  rate: string,
  asOf: string,
): Promise<void> {
  await owner('exchange_rates')
    .insert({ base, quote, rate, as_of: asOf })
    .onConflict(['base', 'quote', 'as_of'])
    .merge();
}

/** The first instant of the current calendar month in a timezone, as the database sees it. */
export async function monthStart(knex: Knex, timezone: string): Promise<Date> {
  const result = await knex.raw<{ rows: Array<{ start: Date }> }>(
    `select (date_trunc('month', now() at time zone ?) at time zone ?) as start`,
    [timezone, timezone],
  );
  const row = result.rows[0];
  if (!row) throw new Error('no month start');
  return row.start;
}

/**
 * The calendar date of an instant in a timezone, YYYY-MM-DD, computed by ICU rather than the
 * database, so tests check the server's notion of "today" against an independent one.
 */
export function localDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}
