import type { Knex } from 'knex';

/**
 * Rollups the dashboards read instead of raw history, and account balances, both maintained by
 * statement-level triggers on transactions: whatever writes transactions (API, batch import,
 * seed, operator) updates them in the same database transaction, once per statement rather
 * than once per row. Days and months are in the tenant's timezone (changing a tenant's
 * timezone rebuilds its rollups: findash_rebuild_rollups). Void rows contribute nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table transaction_rollups_daily (
      tenant_id uuid not null references tenants(id) on delete cascade,
      day date not null,
      account_id uuid not null,
      category text not null,
      transaction_type text not null,
      direction text not null,
      status text not null,
      currency char(3) not null,
      total numeric(30, 4) not null,
      count bigint not null,
      primary key (tenant_id, day, account_id, category, transaction_type, direction, status, currency)
    );

    create table transaction_rollups_monthly (
      tenant_id uuid not null references tenants(id) on delete cascade,
      month date not null,
      account_id uuid not null,
      category text not null,
      transaction_type text not null,
      direction text not null,
      status text not null,
      currency char(3) not null,
      total numeric(30, 4) not null,
      count bigint not null,
      primary key (tenant_id, month, account_id, category, transaction_type, direction, status, currency)
    );

    create type findash_rollup_delta as (
      tenant_id uuid, day date, account_id uuid, category text, transaction_type text,
      direction text, status text, currency char(3), amount numeric, cnt bigint
    );

    create function findash_rollup_merge(p findash_rollup_delta[]) returns void
      language sql
      as $$
        with d as (select * from unnest(p)),
        daily as (
          insert into transaction_rollups_daily as r
            (tenant_id, day, account_id, category, transaction_type, direction, status, currency, total, count)
          select tenant_id, day, account_id, category, transaction_type, direction, status, currency, sum(amount), sum(cnt)
            from d group by 1, 2, 3, 4, 5, 6, 7, 8
          on conflict (tenant_id, day, account_id, category, transaction_type, direction, status, currency)
          do update set total = r.total + excluded.total, count = r.count + excluded.count
          returning 1
        ),
        monthly as (
          insert into transaction_rollups_monthly as r
            (tenant_id, month, account_id, category, transaction_type, direction, status, currency, total, count)
          select tenant_id, date_trunc('month', day)::date, account_id, category, transaction_type, direction, status, currency,
                 sum(amount), sum(cnt)
            from d group by 1, 2, 3, 4, 5, 6, 7, 8
          on conflict (tenant_id, month, account_id, category, transaction_type, direction, status, currency)
          do update set total = r.total + excluded.total, count = r.count + excluded.count
          returning 1
        ),
        balances as (
          update accounts a set balance = a.balance + s.delta
            from (select tenant_id, account_id,
                         sum(case when direction = 'credit' then amount else -amount end) as delta
                    from d where status = 'posted' group by 1, 2) s
           where a.tenant_id = s.tenant_id and a.id = s.account_id and s.delta <> 0
          returning 1
        )
        select from (select count(*) from daily) x, (select count(*) from monthly) y, (select count(*) from balances) z
      $$;

    create function findash_transactions_rollup() returns trigger
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
        end if;
        return null;
      end $$;

    create trigger transactions_rollup_insert after insert on transactions
      referencing new table as new_rows for each statement execute function findash_transactions_rollup();
    create trigger transactions_rollup_update after update on transactions
      referencing old table as old_rows new table as new_rows for each statement execute function findash_transactions_rollup();
    create trigger transactions_rollup_delete after delete on transactions
      referencing old table as old_rows for each statement execute function findash_transactions_rollup();

    -- Recompute one tenant's rollups from raw rows (after a timezone change, or to repair).
    create function findash_rebuild_rollups(p_tenant uuid) returns void
      language sql
      as $$
        delete from transaction_rollups_daily where tenant_id = p_tenant;
        delete from transaction_rollups_monthly where tenant_id = p_tenant;
        insert into transaction_rollups_daily
          (tenant_id, day, account_id, category, transaction_type, direction, status, currency, total, count)
        select x.tenant_id, (x.occurred_at at time zone t.timezone)::date, x.account_id, x.category, x.transaction_type,
               x.direction, x.status, x.currency, sum(x.amount), count(*)
          from transactions x join tenants t on t.id = x.tenant_id
         where x.tenant_id = p_tenant and x.status <> 'void'
         group by 1, 2, 3, 4, 5, 6, 7, 8;
        insert into transaction_rollups_monthly
          (tenant_id, month, account_id, category, transaction_type, direction, status, currency, total, count)
        select tenant_id, date_trunc('month', day)::date, account_id, category, transaction_type, direction, status, currency,
               sum(total), sum(count)
          from transaction_rollups_daily where tenant_id = p_tenant
         group by 1, 2, 3, 4, 5, 6, 7, 8;
      $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop function if exists findash_rebuild_rollups(uuid);
    drop trigger if exists transactions_rollup_delete on transactions;
    drop trigger if exists transactions_rollup_update on transactions;
    drop trigger if exists transactions_rollup_insert on transactions;
    drop function if exists findash_transactions_rollup();
    drop function if exists findash_rollup_merge(findash_rollup_delta[]);
    drop type if exists findash_rollup_delta;
    drop table if exists transaction_rollups_monthly;
    drop table if exists transaction_rollups_daily;
  `);
}
