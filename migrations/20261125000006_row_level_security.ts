import type { Knex } from 'knex';

import { appRoleName } from './app-role.js';
import { TENANT_ONLY, TENANT_OR_PLATFORM } from './tenant-tables.js';

/**
 * Forced row-level security on every tenant-owned table, and the API's role. The API connects
 * as a role that owns nothing and has no BYPASSRLS, and sets app.tenant_id per transaction;
 * without it every policy compares against NULL and a query returns nothing.
 */
export async function up(knex: Knex): Promise<void> {
  const role = appRoleName();
  await knex.raw(`
    do $$ begin
      if not exists (select from pg_roles where rolname = '${role}') then
        create role ${role} nologin nobypassrls;
      end if;
    end $$;
  `);

  const statements: string[] = [];
  for (const table of TENANT_ONLY) {
    statements.push(
      `alter table ${table} enable row level security`,
      `alter table ${table} force row level security`,
      `create policy tenant_isolation on ${table} using (tenant_id = findash_current_tenant())
         with check (tenant_id = findash_current_tenant())`,
    );
  }
  for (const table of TENANT_OR_PLATFORM) {
    statements.push(
      `alter table ${table} enable row level security`,
      `alter table ${table} force row level security`,
      `create policy tenant_isolation on ${table}
         using (tenant_id = findash_current_tenant() or findash_is_platform())
         with check (tenant_id = findash_current_tenant() or findash_is_platform())`,
    );
  }
  statements.push(
    `alter table tenants enable row level security`,
    `alter table tenants force row level security`,
    `create policy tenant_isolation on tenants
       using (id = findash_current_tenant() or findash_is_platform())
       with check (id = findash_current_tenant() or findash_is_platform())`,
    `grant usage on schema public to ${role}`,
    `grant select, insert, update, delete on tenants, rbac_bindings, api_tokens, accounts, transactions, budgets,
       idempotency_keys, transaction_rollups_daily, transaction_rollups_monthly, audit_outbox to ${role}`,
    `grant select, insert on audit_events to ${role}`,
    `grant select on exchange_rates to ${role}`,
    `grant usage on all sequences in schema public to ${role}`,
    `grant execute on all functions in schema public to ${role}`,
  );
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  const role = appRoleName();
  for (const table of [...TENANT_ONLY, ...TENANT_OR_PLATFORM, 'tenants']) {
    await knex.raw(`drop policy if exists tenant_isolation on ${table}`);
    await knex.raw(`alter table ${table} no force row level security`);
    await knex.raw(`alter table ${table} disable row level security`);
  }
  await knex.raw(`revoke all on all tables in schema public from ${role}`);
  await knex.raw(`revoke all on all sequences in schema public from ${role}`);
  await knex.raw(`revoke all on all functions in schema public from ${role}`);
  await knex.raw(`revoke usage on schema public from ${role}`);
}
