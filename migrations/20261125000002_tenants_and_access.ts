import type { Knex } from 'knex';

/**
 * Tenants and who may act for them: rbac_bindings (people, by subject) and api_tokens
 * (machines, by sha256 hash of an opaque random token; the token itself is never stored).
 * findash_resolve_token is SECURITY DEFINER so the API role can turn a presented token into
 * {tenant, role} without being able to list tokens or tenants. Row-level security is forced even for
 * the owner, so the functions switch to platform reading (app.platform) for their one lookup and restore the
 * caller's setting before returning.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table tenants (
      id uuid primary key default gen_random_uuid(),
      name text not null unique check (name ~ '^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9]){0,1}$'),
      type text not null check (type in ('user', 'organization')),
      display_name text not null check (length(display_name) between 1 and 200),
      base_currency char(3) not null default 'USD' check (base_currency ~ '^[A-Z]{3}$'),
      timezone text not null default 'UTC',
      status text not null default 'active' check (status in ('active', 'suspended', 'deleting', 'deleted')),
      limits jsonb not null default '{}'::jsonb,
      k8s_uid uuid unique,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create trigger tenants_updated_at before update on tenants
      for each row execute function findash_touch_updated_at();

    create table rbac_bindings (
      tenant_id uuid not null references tenants(id) on delete cascade,
      subject text not null check (length(subject) between 1 and 300),
      role text not null check (role in ('viewer', 'analyst', 'admin')),
      created_at timestamptz not null default now(),
      primary key (tenant_id, subject)
    );

    create table api_tokens (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants(id) on delete cascade,
      name text not null check (length(name) between 1 and 100),
      role text not null check (role in ('viewer', 'analyst', 'admin')),
      token_hash bytea not null unique,
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    );
    create index api_tokens_tenant_name on api_tokens (tenant_id, name) where revoked_at is null;

    create function findash_resolve_token(p_hash bytea)
      returns table (tenant_id uuid, tenant_name text, tenant_type text, tenant_status text,
                     role text, token_name text, rate_limit_rpm integer)
      language plpgsql security definer
      set search_path = public
      as $$
      declare
        previous text := current_setting('app.platform', true);
      begin
        perform set_config('app.platform', 'on', true);
        return query
          select t.id, t.name, t.type, t.status, k.role, k.name, (t.limits->>'requestsPerMinute')::integer
            from api_tokens k join tenants t on t.id = k.tenant_id
           where k.token_hash = p_hash and k.revoked_at is null;
        perform set_config('app.platform', coalesce(previous, ''), true);
      end $$;

    create function findash_resolve_subject(p_tenant text, p_subject text)
      returns table (tenant_id uuid, tenant_name text, tenant_type text, tenant_status text,
                     role text, rate_limit_rpm integer)
      language plpgsql security definer
      set search_path = public
      as $$
      declare
        previous text := current_setting('app.platform', true);
      begin
        perform set_config('app.platform', 'on', true);
        return query
          select t.id, t.name, t.type, t.status, b.role, (t.limits->>'requestsPerMinute')::integer
            from rbac_bindings b join tenants t on t.id = b.tenant_id
           where t.name = p_tenant and b.subject = p_subject;
        perform set_config('app.platform', coalesce(previous, ''), true);
      end $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop function if exists findash_resolve_subject(text, text);
    drop function if exists findash_resolve_token(bytea);
    drop table if exists api_tokens;
    drop table if exists rbac_bindings;
    drop table if exists tenants;
  `);
}
