import type { Knex } from 'knex';

import { TENANT_ONLY, TENANT_OR_PLATFORM } from './tenant-tables.js';

/**
 * Two refinements of earlier migrations:
 * - rollup rows whose count falls to zero (every transaction in them voided or moved) are
 *   deleted instead of lingering as zero rows that readers must skip;
 * - RLS policies compare against `(select findash_current_tenant())`, an InitPlan evaluated once
 *   per query, instead of calling the function for every row scanned.
 */
const MERGE_CLEANUP = `
  create or replace function findash_rollup_cleanup(p findash_rollup_delta[]) returns void
    language sql
    as $$
      delete from transaction_rollups_daily r
       using (select distinct tenant_id, day, account_id, category, transaction_type, direction, status, currency
                from unnest(p)) d
       where r.count = 0 and r.tenant_id = d.tenant_id and r.day = d.day and r.account_id = d.account_id
         and r.category = d.category and r.transaction_type = d.transaction_type and r.direction = d.direction
         and r.status = d.status and r.currency = d.currency;
      delete from transaction_rollups_monthly r
       using (select distinct tenant_id, date_trunc('month', day)::date as month, account_id, category,
                     transaction_type, direction, status, currency
                from unnest(p)) d
       where r.count = 0 and r.tenant_id = d.tenant_id and r.month = d.month and r.account_id = d.account_id
         and r.category = d.category and r.transaction_type = d.transaction_type and r.direction = d.direction
         and r.status = d.status and r.currency = d.currency;
    $$;
`;

function triggerBody(withCleanup: boolean): string {
  return `
    create or replace function findash_transactions_rollup() returns trigger
      language plpgsql
      as $$
      declare
        deltas findash_rollup_delta[];
      begin
        if TG_OP in ('UPDATE', 'DELETE') then
          deltas := array(
            select row(o.tenant_id, (o.occurred_at at time zone t.timezone)::date, o.account_id, o.category,
                       o.transaction_type, o.direction, o.status, o.currency, -o.amount, -1)::findash_rollup_delta
              from old_rows o join tenants t on t.id = o.tenant_id
             where o.status <> 'void');
        else
          deltas := '{}';
        end if;
        if TG_OP in ('UPDATE', 'INSERT') then
          deltas := deltas || array(
            select row(n.tenant_id, (n.occurred_at at time zone t.timezone)::date, n.account_id, n.category,
                       n.transaction_type, n.direction, n.status, n.currency, n.amount, 1)::findash_rollup_delta
              from new_rows n join tenants t on t.id = n.tenant_id
             where n.status <> 'void');
        end if;
        if cardinality(deltas) > 0 then
          perform findash_rollup_merge(deltas);
          ${withCleanup ? "if TG_OP <> 'INSERT' then perform findash_rollup_cleanup(deltas); end if;" : ''}
        end if;
        return null;
      end $$;
  `;
}

async function setPolicies(knex: Knex, tenantExpr: string): Promise<void> {
  for (const table of TENANT_ONLY) {
    await knex.raw(`alter policy tenant_isolation on ${table} using (tenant_id = ${tenantExpr})
                      with check (tenant_id = ${tenantExpr})`);
  }
  for (const table of TENANT_OR_PLATFORM) {
    await knex.raw(`alter policy tenant_isolation on ${table}
                      using (tenant_id = ${tenantExpr} or findash_is_platform())
                      with check (tenant_id = ${tenantExpr} or findash_is_platform())`);
  }
  await knex.raw(`alter policy tenant_isolation on tenants
                    using (id = ${tenantExpr} or findash_is_platform())
                    with check (id = ${tenantExpr} or findash_is_platform())`);
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw(MERGE_CLEANUP);
  await knex.raw(triggerBody(true));
  await knex.raw(`delete from transaction_rollups_daily where count = 0`);
  await knex.raw(`delete from transaction_rollups_monthly where count = 0`);
  await setPolicies(knex, '(select findash_current_tenant())');
}

export async function down(knex: Knex): Promise<void> {
  await setPolicies(knex, 'findash_current_tenant()');
  await knex.raw(triggerBody(false));
  await knex.raw('drop function if exists findash_rollup_cleanup(findash_rollup_delta[])');
}
