import type { Knex } from 'knex';

/**
 * Helper functions every later migration relies on.
 * findash_current_tenant() reads the per-transaction tenant set by the API with
 * set_config('app.tenant_id', $1, true); unset or empty means "no tenant", so RLS policies
 * comparing against it match nothing instead of raising a cast error.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function findash_current_tenant() returns uuid
      language sql stable parallel safe
      as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;

    create function findash_is_platform() returns boolean
      language sql stable parallel safe
      as $$ select coalesce(current_setting('app.platform', true), '') = 'on' $$;

    create function findash_touch_updated_at() returns trigger
      language plpgsql
      as $$ begin new.updated_at := now(); return new; end $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop function if exists findash_touch_updated_at();
    drop function if exists findash_is_platform();
    drop function if exists findash_current_tenant();
  `);
}
