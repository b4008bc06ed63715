import type { Knex } from 'knex';

/**
 * Accounts, transactions and budgets. Money is NUMERIC beside a char(3) currency; amounts are
 * positive and `direction` says which way they move the account (income credits, expense
 * debits, a transfer is two legs sharing transfer_id). Balances and rollups are maintained by
 * the statement-level triggers of the next migration, never by callers.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table accounts (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants(id) on delete cascade,
      name text not null check (length(name) between 1 and 200),
      account_type text not null check (account_type in ('checking', 'savings', 'credit_card', 'cash', 'investment', 'loan')),
      currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
      balance numeric(24, 4) not null default 0,
      is_active boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (tenant_id, id)
    );
    create index accounts_tenant_created on accounts (tenant_id, created_at, id);
    create trigger accounts_updated_at before update on accounts
      for each row execute function findash_touch_updated_at();

    create table transactions (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants(id) on delete cascade,
      account_id uuid not null,
      amount numeric(24, 4) not null check (amount > 0),
      currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
      transaction_type text not null check (transaction_type in ('income', 'expense', 'transfer')),
      direction text not null check (direction in ('credit', 'debit')),
      status text not null default 'posted' check (status in ('pending', 'posted', 'void')),
      category text not null default 'uncategorized' check (length(category) between 1 and 100),
      description text not null default '' check (length(description) <= 1000),
      occurred_at timestamptz not null,
      transfer_id uuid,
      idempotency_key text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      foreign key (tenant_id, account_id) references accounts (tenant_id, id),
      check ((transaction_type = 'income' and direction = 'credit')
          or (transaction_type = 'expense' and direction = 'debit')
          or (transaction_type = 'transfer' and transfer_id is not null))
    );
    create index transactions_tenant_occurred on transactions (tenant_id, occurred_at desc, id desc);
    create index transactions_tenant_account_occurred on transactions (tenant_id, account_id, occurred_at desc, id desc);
    create unique index transactions_tenant_idempotency on transactions (tenant_id, idempotency_key)
      where idempotency_key is not null;
    create trigger transactions_updated_at before update on transactions
      for each row execute function findash_touch_updated_at();

    create table budgets (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants(id) on delete cascade,
      name text not null check (length(name) between 1 and 200),
      category text check (category is null or length(category) between 1 and 100),
      currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
      total_amount numeric(24, 4) not null check (total_amount > 0),
      start_date date not null,
      end_date date not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (end_date >= start_date)
    );
    create index budgets_tenant_created on budgets (tenant_id, created_at, id);
    create trigger budgets_updated_at before update on budgets
      for each row execute function findash_touch_updated_at();

    -- Global reference data: rates to convert totals into a tenant's base currency.
    create table exchange_rates (
      base char(3) not null check (base ~ '^[A-Z]{3}$'),
      quote char(3) not null check (quote ~ '^[A-Z]{3}$'),
      rate numeric(24, 10) not null check (rate > 0),
      as_of date not null,
      primary key (base, quote, as_of)
    );

    -- Replay protection for any write carrying an Idempotency-Key.
    create table idempotency_keys (
      tenant_id uuid not null references tenants(id) on delete cascade,
      key text not null check (length(key) between 1 and 200),
      request_hash text not null,
      status_code integer not null,
      response jsonb not null,
      created_at timestamptz not null default now(),
      primary key (tenant_id, key)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table if exists idempotency_keys;
    drop table if exists exchange_rates;
    drop table if exists budgets;
    drop table if exists transactions;
    drop table if exists accounts;
  `);
}
