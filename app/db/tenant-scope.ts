import type { Knex } from 'knex';

/**
 * What a caller may ask of a write transaction: a last check just before it commits (throwing
 * rolls it back) and a call once it has settled, committed or not.
 */
export interface CommitGuard {
  beforeCommit(): void;
  settled(): void;
}

export interface TransactionOptions {
  readonly readOnly?: boolean | undefined;
  /** Checked just before the commit (app/http/request-deadline.ts: the request's deadline). */
  readonly guard?: CommitGuard | undefined;
  /** Bounds each statement of this transaction only (a request's: its deadline, app/plugins/external/db.ts). */
  readonly statementTimeoutMs?: number | undefined;
}

/**
 * One transaction whose first statement sets the transaction-local `settings` (and the
 * statement timeout, if asked) in a single round trip; they cannot leak to the next user of
 * the connection.
 */
async function transaction<T>(
  knex: Knex,
  settings: Readonly<Record<string, string>>,
  work: (trx: Knex.Transaction) => Promise<T>,
  { readOnly = false, guard, statementTimeoutMs }: TransactionOptions,
): Promise<T> {
  const bindings = Object.entries(settings).flat();
  if (statementTimeoutMs !== undefined) bindings.push('statement_timeout', String(statementTimeoutMs));
  const sql = `select ${Array.from({ length: bindings.length / 2 }, () => 'set_config(?, ?, true)').join(', ')}`;
  try {
    return await knex.transaction(
      async (trx) => {
        await trx.raw(sql, bindings);
        const result = await work(trx);
        guard?.beforeCommit();
        return result;
      },
      { readOnly },
    );
  } finally {
    guard?.settled();
  }
}

/**
 * Runs `work` in one transaction with app.tenant_id set for row-level security, so every query
 * inside sees only that tenant's rows even if a query forgets its tenant filter.
 */
export async function withTenant<T>(
  knex: Knex,
  tenantId: string,
  work: (trx: Knex.Transaction) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return transaction(knex, { 'app.tenant_id': tenantId }, work, options);
}

/**
 * Runs `work` as a platform process (tenant administration, the operator, the outbox
 * publisher): policies that allow it see every tenant's rows of tenants, rbac_bindings,
 * api_tokens and the audit tables. Ledger tables stay tenant-only even here.
 */
export async function asPlatform<T>(
  knex: Knex,
  work: (trx: Knex.Transaction) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return transaction(knex, { 'app.platform': 'on' }, work, options);
}

/** Switches an open transaction to a tenant (platform code acting on one tenant's ledger). */
export async function setTenant(trx: Knex.Transaction, tenantId: string): Promise<void> {
  await trx.raw(`select set_config('app.tenant_id', ?, true)`, [tenantId]);
}
