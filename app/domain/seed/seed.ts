import type { Knex } from 'knex';

import { asPlatform, setTenant } from '../../db/tenant-scope.js';
import { ValidationError } from '../errors.js';
import { insertTenant } from '../tenants/tenant-service.js';
import { planBudgets } from './budgets.js';
import { writeExchangeRates } from './exchange-rates.js';
import { planTenant, type TenantPlan } from './tenant-plan.js';
import { seedWindow } from './recurring-schedule.js';
import { generateTransactions, type SeedTransaction } from './transaction-generator.js';

export interface SeedOptions {
  readonly tenants: number;
  readonly transactionsPerTenant: number;
  readonly seed: number;
  /** Tenant names are `<prefix>-1`, `<prefix>-2`, … (default "seed"). */
  readonly tenantPrefix?: string;
  /** Rows per INSERT statement and transaction (default 10,000). */
  readonly batchSize?: number;
  /** The end of the seeded history (default: now). Same seed + same `until` = same data. */
  readonly until?: Date;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface SeededTenant {
  readonly id: string;
  readonly name: string;
  readonly type: 'user' | 'organization';
}

const PREFIX = /^[a-z0-9]([-a-z0-9]{0,28}[a-z0-9])?$/;

/**
 * Loads realistic sample data: per tenant, accounts in 1–3 currencies, ~2 years of salary,
 * rent, card payments, savings transfers, interest and everyday spending (some pending, some
 * void), monthly budgets per category, and exchange rates between the currencies in use.
 * Runs as the schema owner; row-level security is forced even for it, so every tenant write
 * sets app.tenant_id. Transactions go in as multi-row INSERT … SELECT FROM unnest(…) batches,
 * each its own transaction, and the statement triggers keep balances and rollups as they would
 * for the API. A tenant name that already exists is a conflict (use another prefix).
 */
export async function seedDatabase(owner: Knex, options: SeedOptions): Promise<{ tenants: SeededTenant[] }> {
  const prefix = options.tenantPrefix ?? 'seed';
  if (!PREFIX.test(prefix)) {
    throw new ValidationError('tenantPrefix', 'must be 1-30 lower-case letters, digits or hyphens');
  }
  if (!Number.isInteger(options.tenants) || options.tenants < 0 || options.tenants > 100_000) {
    throw new ValidationError('tenants', 'must be an integer from 0 to 100000');
  }
  if (!Number.isInteger(options.transactionsPerTenant) || options.transactionsPerTenant < 0) {
    throw new ValidationError('transactionsPerTenant', 'must be a non-negative integer');
  }
  const until = (options.until ?? new Date()).getTime();
  const batchSize = options.batchSize ?? 10_000;
  const total = options.tenants * options.transactionsPerTenant;
  let done = 0;
  options.onProgress?.(0, total);

  const plans = Array.from({ length: options.tenants }, (_, i) => planTenant(options.seed, i, prefix));
  await writeExchangeRates(
    owner,
    [...new Set(plans.flatMap((p) => p.currencies))],
    options.seed,
    new Date(until),
  );

  const seeded: SeededTenant[] = [];
  for (const plan of plans) {
    const tenant = await asPlatform(owner, (trx) =>
      insertTenant(trx, {
        name: plan.name,
        type: plan.type,
        display_name: plan.displayName,
        base_currency: plan.baseCurrency,
        timezone: plan.timezone,
      }),
    );
    seeded.push({ id: tenant.id, name: tenant.name, type: tenant.type });
    const accountIds = await createAccounts(owner, tenant.id, plan);

    const batch: SeedTransaction[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await insertTransactions(owner, tenant.id, accountIds, batch);
      done += batch.length;
      batch.length = 0;
      options.onProgress?.(done, total);
    };
    for (const row of generateTransactions(plan, {
      seed: options.seed,
      count: options.transactionsPerTenant,
      until,
    })) {
      batch.push(row);
      if (batch.length >= batchSize) await flush();
    }
    await flush();

    const window = seedWindow(plan, options.transactionsPerTenant, until);
    await tenantScope(owner, tenant.id, async (trx) => {
      const budgets = planBudgets(plan, options.seed, window, options.transactionsPerTenant);
      if (budgets.length > 0)
        await trx('budgets').insert(budgets.map((b) => ({ tenant_id: tenant.id, ...b })));
    });
  }
  // Fresh statistics so the first dashboard query after a seed gets good plans.
  await owner.raw(
    'analyze transactions, transaction_rollups_daily, transaction_rollups_monthly, accounts, budgets',
  );
  return { tenants: seeded };
}

function tenantScope<T>(
  owner: Knex,
  tenantId: string,
  work: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  return owner.transaction(async (trx) => {
    await setTenant(trx, tenantId);
    return work(trx);
  });
}

async function createAccounts(owner: Knex, tenantId: string, plan: TenantPlan): Promise<Map<string, string>> {
  return tenantScope(owner, tenantId, async (trx) => {
    const ids = new Map<string, string>();
    // One at a time so created_at order (the dashboard's account order) follows the plan.
    for (const account of plan.accounts) {
      const [row] = await trx('accounts')
        .insert({
          tenant_id: tenantId,
          name: account.name,
          account_type: account.accountType,
          currency: account.currency,
          is_active: account.isActive,
          created_at: trx.raw(`now() + (? || ' microseconds')::interval`, [ids.size]),
        })
        .returning<Array<{ id: string }>>('id');
      if (!row) throw new Error(`account ${account.name} was not created`);
      ids.set(account.key, row.id);
    }
    return ids;
  });
}

/** One INSERT … SELECT FROM unnest(…) for a whole batch: one round trip, one trigger run. */
async function insertTransactions(
  owner: Knex,
  tenantId: string,
  accountIds: ReadonlyMap<string, string>,
  rows: readonly SeedTransaction[],
): Promise<void> {
  const column = <T>(pick: (row: SeedTransaction) => T): T[] => rows.map(pick);
  await tenantScope(owner, tenantId, async (trx) => {
    await trx.raw(
      `insert into transactions (tenant_id, account_id, amount, currency, transaction_type, direction, status,
                                 category, description, occurred_at, transfer_id)
       select ?::uuid, account, amount, currency, kind, direction, status, category, description, occurred,
              nullif(transfer, '')::uuid
         from unnest(?::uuid[], ?::numeric[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                     ?::timestamptz[], ?::text[])
           as u(account, amount, currency, kind, direction, status, category, description, occurred, transfer)`,
      [
        tenantId,
        column((r) => {
          const id = accountIds.get(r.accountKey);
          if (!id) throw new Error(`no account ${r.accountKey}`);
          return id;
        }),
        column((r) => r.amount),
        column((r) => r.currency),
        column((r) => r.type),
        column((r) => r.direction),
        column((r) => r.status),
        column((r) => r.category),
        column((r) => r.description),
        column((r) => new Date(r.occurredAt).toISOString()),
        column((r) => r.transferId ?? ''),
      ],
    );
  });
}
