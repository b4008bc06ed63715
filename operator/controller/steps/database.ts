import { syncTenant, type TenantSyncResult } from '../../../app/domain/tenants/tenant-sync.js';
import type { Tenant } from '../../crd/types.js';
import { desiredTenant } from '../desired.js';
import type { RotationRequest } from '../rotation.js';
import type { StepContext } from './context.js';
import { dbFailure } from './failures.js';
import type { SecretsRead } from './live-secrets.js';
import { failedStep, readyStep, type StepResult } from './step-result.js';

export interface DatabaseStep extends StepResult {
  /** What the database now holds, when the step succeeded: the tokens the Secrets must carry. */
  readonly db?: TenantSyncResult;
}

/** Tenant row, rbac_bindings and api_tokens, given the tokens the Secrets already present. */
export async function syncDatabase(
  ctx: StepContext,
  tenant: Tenant,
  secrets: SecretsRead,
  rotation: RotationRequest,
): Promise<DatabaseStep> {
  if ('unavailable' in secrets) return secrets.unavailable;
  let db: TenantSyncResult;
  try {
    db = await syncTenant(ctx.db, desiredTenant(tenant), {
      presented: secrets.live.presented,
      rotate: rotation.clients,
      rotateIssuedBefore: rotation.issuedBefore,
    });
  } catch (err) {
    const f = dbFailure(err);
    ctx.event(tenant, 'Warning', f.reason, 'SyncDatabase', f.message);
    return failedStep('DatabaseSynced', f.reason, f.message, f.retry);
  }
  reportDatabaseChanges(ctx, tenant, db);
  return {
    ...readyStep(
      'DatabaseSynced',
      'Synced',
      `tenant row ${db.tenantId} matches the spec (${(tenant.spec.members ?? []).length} members, ${db.credentials.length} API tokens)`,
    ),
    db,
  };
}

function reportDatabaseChanges(ctx: StepContext, tenant: Tenant, db: TenantSyncResult): void {
  const event = (reason: string, note: string): void => {
    ctx.event(tenant, 'Normal', reason, 'SyncDatabase', note);
  };
  if (db.created) event('TenantCreated', `tenant row ${db.tenantId} created`);
  else if (db.tenantChanges.length > 0)
    event('TenantUpdated', `tenant row updated: ${db.tenantChanges.join(', ')}`);
  if (db.bindingsAdded + db.bindingsRemoved + db.bindingsChanged > 0) {
    event(
      'MembersSynced',
      `rbac bindings: ${db.bindingsAdded} added, ${db.bindingsRemoved} removed, ${db.bindingsChanged} changed`,
    );
  }
  const issued = db.credentials.filter((c) => c.issued).map((c) => c.client);
  if (issued.length > 0) event('TokenIssued', `new API tokens for: ${issued.join(', ')}`);
  if (db.removedClients.length > 0) {
    event('TokenRevoked', `tokens revoked for removed clients: ${db.removedClients.join(', ')}`);
  }
}
