import type { Knex } from 'knex';

/**
 * Append-only audit log and the transactional outbox feeding RabbitMQ. A write and its audit
 * event commit together; the publisher later moves outbox rows to the broker and deletes them
 * only after a publisher confirm, so a broker outage delays events but loses none.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table audit_events (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants(id) on delete cascade,
      actor text not null,
      action text not null,
      resource_type text not null,
      resource_id text,
      request_id text,
      details jsonb not null default '{}'::jsonb,
      occurred_at timestamptz not null default now()
    );
    create index audit_events_tenant_occurred on audit_events (tenant_id, occurred_at desc, id desc);

    create function findash_audit_append_only() returns trigger
      language plpgsql
      as $$ begin raise exception 'audit_events is append-only'; end $$;
    create trigger audit_events_no_update before update on audit_events
      for each row execute function findash_audit_append_only();

    create table audit_outbox (
      id bigint generated always as identity primary key,
      event_id uuid not null unique,
      tenant_id uuid not null,
      routing_key text not null,
      payload jsonb not null,
      created_at timestamptz not null default now(),
      attempts integer not null default 0,
      last_error text
    );
    create index audit_outbox_tenant on audit_outbox (tenant_id, id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table if exists audit_outbox;
    drop trigger if exists audit_events_no_update on audit_events;
    drop function if exists findash_audit_append_only();
    drop table if exists audit_events;
  `);
}
