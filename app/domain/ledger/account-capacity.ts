import type { Knex } from 'knex';

import type { ActorContext } from '../context.js';
import { LimitError } from '../errors.js';

/** The tenant row's quotas, as stored. */
interface TenantLimitsRow {
  id: string;
  limits: Record<string, unknown> | null;
}

/**
 * Per-tenant quotas from tenants.limits (jsonb, set by the Tenant resource). Only
 * `maxAccounts` concerns the ledger: the number of active accounts a tenant may hold.
 * Deactivated accounts do not count, so a tenant at its limit can retire one to make room.
 *
 * Throws LimitError (429) if adding `adding` active accounts would pass the tenant's
 * maxAccounts. Locks the tenant row (FOR NO KEY UPDATE, which does not block inserts that only
 * reference it) so two concurrent creates cannot both take the last slot.
 */
export async function ensureAccountCapacity(
  trx: Knex.Transaction,
  ctx: ActorContext,
  adding = 1,
): Promise<void> {
  const tenant = await trx<TenantLimitsRow>('tenants')
    .where({ id: ctx.tenantId })
    .forNoKeyUpdate()
    .first('limits');
  const max = tenant?.limits?.maxAccounts;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 0) return;
  const result = await trx.raw<{ rows: Array<{ n: number }> }>(
    'select count(*)::int as n from accounts where tenant_id = ? and is_active',
    [ctx.tenantId],
  );
  const active = result.rows[0]?.n ?? 0;
  if (active + adding > max) {
    throw new LimitError(
      `tenant ${ctx.tenantName} already has ${active} active accounts, its limit (limits.maxAccounts) is ${max}; ` +
        'deactivate an account or ask the platform administrator to raise the limit',
    );
  }
}
