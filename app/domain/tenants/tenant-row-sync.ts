import type { Knex } from 'knex';

import { ConflictError } from '../errors.js';
import type { TenantLimits, TenantRecord } from './tenant-model.js';
import { insertTenant, patchTenant } from './tenant-service.js';
import type { DesiredTenant } from './tenant-sync.js';

/**
 * Finds the row a Tenant object owns: by UID, else an unowned or retained row of the same name
 * (re-creating a Tenant re-attaches data kept by deletionPolicy Retain, and adopts a tenant made
 * through the admin API). A live row owned by another object is a conflict a person must solve.
 */
async function findOwnedRow(trx: Knex.Transaction, desired: DesiredTenant): Promise<TenantRecord | null> {
  const byUid = (await trx('tenants').where({ k8s_uid: desired.k8sUid }).first()) as TenantRecord | undefined;
  if (byUid) return byUid;
  const byName = (await trx('tenants').where({ name: desired.name }).first()) as TenantRecord | undefined;
  if (!byName) return null;
  if (byName.k8s_uid === null || byName.status === 'deleted') return byName;
  throw new ConflictError(
    `the database already has a tenant named ${desired.name} owned by another Tenant object (uid ${byName.k8s_uid}); ` +
      'delete that row or pick another name',
  );
}

function sameLimits(a: TenantLimits, b: TenantLimits): boolean {
  return a.requestsPerMinute === b.requestsPerMinute && a.maxAccounts === b.maxAccounts;
}

/** Creates or updates the tenant row a Tenant object owns; `changes` names the columns it changed. */
export async function syncTenantRow(
  trx: Knex.Transaction,
  desired: DesiredTenant,
): Promise<{ tenant: TenantRecord; created: boolean; changes: string[] }> {
  const status = desired.suspended ? 'suspended' : 'active';
  const limits: TenantLimits = {
    ...(desired.limits.requestsPerMinute !== undefined
      ? { requestsPerMinute: desired.limits.requestsPerMinute }
      : {}),
    ...(desired.limits.maxAccounts !== undefined ? { maxAccounts: desired.limits.maxAccounts } : {}),
  };
  const wanted = {
    display_name: desired.displayName,
    base_currency: desired.baseCurrency,
    timezone: desired.timezone,
    status,
    limits,
    k8s_uid: desired.k8sUid,
  } as const;
  const current = await findOwnedRow(trx, desired);
  if (!current) {
    const tenant = await insertTenant(trx, { name: desired.name, type: desired.type, ...wanted });
    return { tenant, created: true, changes: ['created'] };
  }
  if (current.type !== desired.type) {
    throw new ConflictError(
      `tenant ${desired.name} is a ${current.type} tenant in the database; its type cannot change`,
    );
  }
  const changes: string[] = [];
  if (current.display_name !== desired.displayName) changes.push('display_name');
  if (current.base_currency !== desired.baseCurrency) changes.push('base_currency');
  if (current.timezone !== desired.timezone) changes.push('timezone');
  if (current.status !== status) changes.push('status');
  if (current.k8s_uid !== desired.k8sUid) changes.push('k8s_uid');
  if (!sameLimits(current.limits, limits)) changes.push('limits');
  if (changes.length === 0) return { tenant: current, created: false, changes };
  const tenant = await patchTenant(trx, current, wanted);
  return { tenant, created: false, changes };
}
