import type { Knex } from 'knex';

import { asPlatform, setTenant, type TransactionOptions } from '../../db/tenant-scope.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { validateTenantFields, type NewTenant, type TenantPatch, type TenantRecord } from './tenant-model.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function byIdOrName(trx: Knex.Transaction, idOrName: string): Knex.QueryBuilder {
  return UUID.test(idOrName)
    ? trx('tenants').where({ id: idOrName })
    : trx('tenants').where({ name: idOrName });
}

function toRecord(row: Record<string, unknown>): TenantRecord {
  const date = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
  return {
    ...(row as unknown as TenantRecord),
    created_at: date(row.created_at),
    updated_at: date(row.updated_at),
  };
}

/* Transaction-level operations: the caller provides a platform-scoped transaction, so the
 * operator can combine them with its own writes in one transaction. */

export async function findTenant(trx: Knex.Transaction, idOrName: string): Promise<TenantRecord | null> {
  const row = (await byIdOrName(trx, idOrName).first()) as Record<string, unknown> | undefined;
  return row ? toRecord(row) : null;
}

export async function insertTenant(trx: Knex.Transaction, input: NewTenant): Promise<TenantRecord> {
  validateTenantFields(input);
  const existing: unknown = await trx('tenants').where({ name: input.name }).first('id');
  if (existing) throw new ConflictError(`tenant ${input.name} already exists`);
  const [row] = (await trx('tenants')
    .insert({
      name: input.name,
      type: input.type,
      display_name: input.display_name,
      base_currency: input.base_currency ?? 'USD',
      timezone: input.timezone ?? 'UTC',
      status: input.status ?? 'active',
      limits: JSON.stringify(input.limits ?? {}),
      k8s_uid: input.k8s_uid ?? null,
    })
    .returning('*')) as Array<Record<string, unknown>>;
  return toRecord(row ?? {});
}

/** Applies a patch; writes nothing when nothing changes, and rebuilds rollups on a timezone change. */
export async function patchTenant(
  trx: Knex.Transaction,
  current: TenantRecord,
  patch: TenantPatch,
): Promise<TenantRecord> {
  validateTenantFields(patch);
  const changes: Record<string, unknown> = {};
  if (patch.display_name !== undefined && patch.display_name !== current.display_name)
    changes.display_name = patch.display_name;
  if (patch.base_currency !== undefined && patch.base_currency !== current.base_currency)
    changes.base_currency = patch.base_currency;
  if (patch.timezone !== undefined && patch.timezone !== current.timezone) changes.timezone = patch.timezone;
  if (patch.status !== undefined && patch.status !== current.status) changes.status = patch.status;
  if (patch.k8s_uid !== undefined && patch.k8s_uid !== current.k8s_uid) changes.k8s_uid = patch.k8s_uid;
  if (patch.limits !== undefined && JSON.stringify(patch.limits) !== JSON.stringify(current.limits)) {
    changes.limits = JSON.stringify(patch.limits);
  }
  if (Object.keys(changes).length === 0) return current;
  const [row] = (await trx('tenants').where({ id: current.id }).update(changes).returning('*')) as Array<
    Record<string, unknown>
  >;
  if (changes.timezone !== undefined) {
    await setTenant(trx, current.id);
    await trx.raw('select findash_rebuild_rollups(?)', [current.id]);
  }
  return toRecord(row ?? {});
}

/**
 * Retain: the tenant is marked deleted and its credentials revoked; its data stays.
 * Purge: the tenant and everything it owns are removed.
 */
export async function removeTenant(
  trx: Knex.Transaction,
  tenant: TenantRecord,
  purge: boolean,
): Promise<void> {
  if (purge) {
    await setTenant(trx, tenant.id);
    await trx('tenants').where({ id: tenant.id }).delete();
    return;
  }
  await trx('api_tokens')
    .where({ tenant_id: tenant.id })
    .whereNull('revoked_at')
    .update({ revoked_at: trx.fn.now() });
  await trx('tenants').where({ id: tenant.id }).update({ status: 'deleted' });
}

/** The seed's tenant service (get_all, get_one, create, update, delete) for the admin API and CLI. */
export class TenantService {
  private readonly reads: TransactionOptions;
  private readonly writes: TransactionOptions;

  /**
   * `scope` applies to every transaction: for the admin API, the request's (its statements end
   * with its deadline, and a write rolls back once the deadline has answered 503).
   */
  constructor(
    private readonly knex: Knex,
    scope: TransactionOptions = {},
  ) {
    this.reads = { statementTimeoutMs: scope.statementTimeoutMs, readOnly: true };
    this.writes = { ...scope, readOnly: false };
  }

  async getAll(options: { limit?: number; after?: string } = {}): Promise<TenantRecord[]> {
    return asPlatform(
      this.knex,
      async (trx) => {
        const query = trx('tenants')
          .orderBy('name')
          .limit(options.limit ?? 100);
        if (options.after) void query.where('name', '>', options.after);
        return ((await query) as Array<Record<string, unknown>>).map(toRecord);
      },
      this.reads,
    );
  }

  async getOne(idOrName: string): Promise<TenantRecord> {
    return asPlatform(
      this.knex,
      async (trx) => {
        const tenant = await findTenant(trx, idOrName);
        if (!tenant) throw new NotFoundError('tenant', idOrName);
        return tenant;
      },
      this.reads,
    );
  }

  async create(input: NewTenant): Promise<TenantRecord> {
    return asPlatform(this.knex, (trx) => insertTenant(trx, input), this.writes);
  }

  async update(idOrName: string, patch: TenantPatch): Promise<TenantRecord> {
    return asPlatform(
      this.knex,
      async (trx) => {
        const tenant = await findTenant(trx, idOrName);
        if (!tenant) throw new NotFoundError('tenant', idOrName);
        return patchTenant(trx, tenant, patch);
      },
      this.writes,
    );
  }

  async delete(idOrName: string, options: { purge?: boolean } = {}): Promise<void> {
    await asPlatform(
      this.knex,
      async (trx) => {
        const tenant = await findTenant(trx, idOrName);
        if (!tenant) throw new NotFoundError('tenant', idOrName);
        await removeTenant(trx, tenant, options.purge ?? false);
      },
      this.writes,
    );
  }
}
