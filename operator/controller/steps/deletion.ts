import { retireTenant } from '../../../app/domain/tenants/tenant-sync.js';
import { FINALIZER, SPEC_DEFAULTS, tenantNamespace, type Tenant } from '../../crd/types.js';
import { KubeApiError, isConflict, isNotFound } from '../../kube/errors.js';
import type { Logger } from '../../log.js';
import { tenantPath, type StepContext } from './context.js';
import { noteWrite } from './reads.js';
import { RetryableError, dbFailure } from './failures.js';
import { writeStatus } from './status.js';

/**
 * A Tenant being deleted: apply its deletionPolicy to the database, delete its namespace, then
 * remove our finalizer. If the database is down the finalizer stays and the pass is retried.
 */
export async function finalize(ctx: StepContext, tenant: Tenant, log: Logger): Promise<void> {
  const finalizers = tenant.metadata.finalizers ?? [];
  const index = finalizers.indexOf(FINALIZER);
  if (index < 0) return;
  const name = tenant.metadata.name ?? '';
  const namespace = tenantNamespace(name);
  const policy = tenant.spec.deletionPolicy ?? SPEC_DEFAULTS.deletionPolicy;

  if (tenant.status?.phase !== 'Deleting') {
    await writeStatus(ctx, tenant, { ...tenant.status, phase: 'Deleting' });
  }
  let outcome;
  try {
    outcome = await retireTenant(ctx.db, tenant.metadata.uid ?? '', policy);
  } catch (err) {
    const f = dbFailure(err);
    ctx.event(tenant, 'Warning', f.reason, 'Finalize', `cannot apply deletionPolicy ${policy}: ${f.message}`);
    throw err;
  }
  const deleted = await ctx.client.delete(`/api/v1/namespaces/${namespace}`);
  noteWrite(ctx, { resource: 'namespaces', name: namespace }, null);
  const what =
    outcome === 'deleted'
      ? 'tenant data deleted from the database'
      : outcome === 'retained'
        ? 'tenant data retained (status deleted, tokens revoked)'
        : 'no tenant row to clean up';
  ctx.event(
    tenant,
    'Normal',
    policy === 'Delete' ? 'TenantDeleted' : 'TenantRetained',
    'Finalize',
    `deletionPolicy ${policy}: ${what}; namespace ${namespace} ${deleted ? 'deleted' : 'already gone'}`,
  );
  try {
    const updated = await ctx.client.jsonPatch<Tenant>(tenantPath(name), [
      { op: 'test', path: `/metadata/finalizers/${index}`, value: FINALIZER },
      { op: 'remove', path: `/metadata/finalizers/${index}` },
    ]);
    noteWrite(ctx, { resource: 'tenants', name }, updated);
  } catch (err) {
    if (isNotFound(err)) return;
    if (isConflict(err) || (err instanceof KubeApiError && err.code === 422)) {
      throw new RetryableError('finalizers changed while finalizing; retrying');
    }
    throw err;
  }
  log.info('tenant finalized', { tenant: name, policy, outcome });
}
