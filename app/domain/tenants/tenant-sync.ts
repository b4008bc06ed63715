import type { Knex } from 'knex';

import { appendAudit, type AuditEntry } from '../../audit/audit-log.js';
import { asPlatform } from '../../db/tenant-scope.js';
import { ROLES, type Role } from '../auth/roles.js';
import type { ActorContext } from '../context.js';
import { syncBindings } from './bindings-sync.js';
import type { TenantLimits, TenantRecord, TenantType } from './tenant-model.js';
import { syncTenantRow } from './tenant-row-sync.js';
import { removeTenant } from './tenant-service.js';
import { syncTokens, type ClientCredential, type TokenRequests } from './token-sync.js';

export { subjectKey, type SubjectKind } from './bindings-sync.js';
export { activeTokenClients, type ClientCredential, type TokenRequests } from './token-sync.js';

/**
 * What the Tenant operator needs from the database, in one transaction per tenant: make the
 * tenant row, its rbac_bindings and its api_tokens match a Tenant object, idempotently. A pass
 * that finds everything in place only reads (no row is updated, updated_at does not move).
 * The row (tenant-row-sync.ts), the members (bindings-sync.ts) and the API clients' tokens
 * (token-sync.ts) each have their own file; this one is the pass and the retirement.
 */

export interface DesiredTenant {
  /** metadata.uid of the Tenant object: the row's identity (tenants.k8s_uid). */
  readonly k8sUid: string;
  readonly name: string;
  readonly type: TenantType;
  readonly displayName: string;
  readonly baseCurrency: string;
  readonly timezone: string;
  readonly suspended: boolean;
  readonly limits: TenantLimits;
  /** subject → role; owners are included as admin by the caller. */
  readonly bindings: ReadonlyMap<string, Role>;
  /** API client name → role. */
  readonly clients: ReadonlyMap<string, Role>;
}

export interface TenantSyncResult {
  readonly tenantId: string;
  readonly created: boolean;
  /** Columns of the tenant row this pass changed (empty when none). */
  readonly tenantChanges: readonly string[];
  readonly bindingsAdded: number;
  readonly bindingsRemoved: number;
  readonly bindingsChanged: number;
  readonly credentials: readonly ClientCredential[];
  /** Client names whose tokens were revoked because the client was removed from the spec. */
  readonly removedClients: readonly string[];
  /** True if any row was written. */
  readonly wrote: boolean;
}

const OPERATOR_ACTOR = 'operator';

function actor(tenant: TenantRecord): ActorContext {
  return {
    tenantId: tenant.id,
    tenantName: tenant.name,
    tenantType: tenant.type,
    actor: OPERATOR_ACTOR,
    role: 'admin',
  };
}

/** Makes the database match a Tenant object. One transaction; reads only when nothing changed. */
export async function syncTenant(
  knex: Knex,
  desired: DesiredTenant,
  tokens: TokenRequests,
): Promise<TenantSyncResult> {
  for (const role of [...desired.bindings.values(), ...desired.clients.values()]) {
    if (!(ROLES as readonly string[]).includes(role)) throw new Error(`unknown role ${role}`);
  }
  return asPlatform(knex, async (trx) => {
    const { tenant, created, changes } = await syncTenantRow(trx, desired);
    const bindings = await syncBindings(trx, tenant.id, desired.bindings);
    const tokenResult = await syncTokens(trx, tenant.id, desired.clients, tokens);
    const audit: AuditEntry[] = [];
    if (created)
      audit.push({
        action: 'tenant.created',
        resourceType: 'tenant',
        resourceId: tenant.id,
        details: { name: tenant.name },
      });
    else if (changes.length > 0) {
      audit.push({
        action: 'tenant.updated',
        resourceType: 'tenant',
        resourceId: tenant.id,
        details: { fields: changes },
      });
    }
    if (bindings.added + bindings.removed + bindings.changed > 0) {
      audit.push({
        action: 'tenant.members_changed',
        resourceType: 'tenant',
        resourceId: tenant.id,
        details: bindings,
      });
    }
    audit.push(...tokenResult.audit);
    await appendAudit(trx, actor(tenant), audit);
    return {
      tenantId: tenant.id,
      created,
      tenantChanges: changes,
      bindingsAdded: bindings.added,
      bindingsRemoved: bindings.removed,
      bindingsChanged: bindings.changed,
      credentials: tokenResult.credentials,
      removedClients: tokenResult.removedClients,
      wrote:
        created ||
        changes.length > 0 ||
        bindings.added + bindings.removed + bindings.changed > 0 ||
        tokenResult.wrote,
    };
  });
}

export type RetireOutcome = 'retained' | 'deleted' | 'absent';

/**
 * Applies a Tenant's deletionPolicy. Retain: the row stays with status `deleted` and every
 * token is revoked (the data can be re-attached by re-creating the Tenant). Delete: the row and
 * everything the tenant owns are removed. Idempotent: a second call finds nothing to do.
 */
export async function retireTenant(
  knex: Knex,
  k8sUid: string,
  policy: 'Retain' | 'Delete',
): Promise<RetireOutcome> {
  return asPlatform(knex, async (trx) => {
    const tenant = (await trx('tenants').where({ k8s_uid: k8sUid }).first()) as TenantRecord | undefined;
    if (!tenant) return 'absent';
    if (policy === 'Delete') {
      await removeTenant(trx, tenant, true);
      return 'deleted';
    }
    const active = (await trx('api_tokens')
      .where({ tenant_id: tenant.id })
      .whereNull('revoked_at')
      .count<Array<{ count: number | string }>>('* as count')) as Array<{ count: number | string }>;
    if (tenant.status !== 'deleted' || Number(active[0]?.count ?? 0) > 0) {
      await removeTenant(trx, tenant, false);
      await appendAudit(trx, actor(tenant), [
        { action: 'tenant.deleted', resourceType: 'tenant', resourceId: tenant.id, details: { policy } },
      ]);
    }
    return 'retained';
  });
}
