import type { Knex } from 'knex';

import { runPart, type Part } from './sql-parts.js';
import type { TenantInfo } from './types.js';

/** The tenant in scope, as row-level security lets the API role see it. */
export function tenantInfoPart(): Part<TenantInfo> {
  return {
    ctes: [],
    expression: `json_build_object('id', t.id, 'name', t.name, 'type', t.type, 'display_name', t.display_name,
        'base_currency', t.base, 'timezone', t.timezone)`,
    bindings: [],
    map: (json: TenantInfo): TenantInfo => json,
  };
}

export function tenantInfo(trx: Knex.Transaction): Promise<TenantInfo> {
  return runPart(trx, tenantInfoPart());
}
