import type { Knex } from 'knex';

import type { TenantInfo } from './types.js';

/** The tenant in scope, as row-level security lets the API role see it. */
export async function tenantInfo(trx: Knex.Transaction): Promise<TenantInfo> {
  const result = await trx.raw<{ rows: TenantInfo[] }>(
    `select id, name, type, display_name, base_currency::text as base_currency, timezone
       from tenants where id = findash_current_tenant()`,
  );
  const row = result.rows[0];
  if (!row) throw new Error('tenantInfo: no tenant in scope (app.tenant_id is not set)');
  return row;
}
