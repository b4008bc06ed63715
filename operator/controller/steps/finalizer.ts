import { FINALIZER, type Tenant } from '../../crd/types.js';
import { tenantPath, type StepContext } from './context.js';
import { noteWrite } from './reads.js';

export function hasFinalizer(tenant: Tenant): boolean {
  return (tenant.metadata.finalizers ?? []).includes(FINALIZER);
}

/** Adds findash.io/finalizer, before any side effect, so a deletion always passes through us. */
export async function addFinalizer(ctx: StepContext, tenant: Tenant): Promise<Tenant> {
  const ops = tenant.metadata.finalizers
    ? [{ op: 'add' as const, path: '/metadata/finalizers/-', value: FINALIZER }]
    : [{ op: 'add' as const, path: '/metadata/finalizers', value: [FINALIZER] }];
  // The resourceVersion test makes a concurrent edit fail this patch (409) instead of racing it.
  const name = tenant.metadata.name ?? '';
  const updated = await ctx.client.jsonPatch<Tenant>(tenantPath(name), [
    { op: 'test', path: '/metadata/resourceVersion', value: tenant.metadata.resourceVersion },
    ...ops,
  ]);
  noteWrite(ctx, { resource: 'tenants', name }, updated);
  return updated;
}
