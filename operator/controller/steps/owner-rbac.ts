import { FIELD_MANAGER, tenantNamespace, type Tenant } from '../../crd/types.js';
import { applyIfChanged } from '../../kube/apply.js';
import type { Role, RoleBinding } from '../../kube/types.js';
import { CREDENTIALS_ROLE, CREDENTIALS_ROLE_BINDING, desiredRole, desiredRoleBinding } from '../desired.js';
import type { StepContext } from './context.js';
import { kubeFailure } from './failures.js';
import { noteWrite, objectPath, readObject } from './reads.js';
import { failedStep, readyStep, waitingStep, type StepResult } from './step-result.js';

/** Role + RoleBinding in the tenant namespace: the owners may read the credentials Secrets. */
export async function ensureOwnerRbac(
  ctx: StepContext,
  tenant: Tenant,
  namespaceReady: boolean,
): Promise<StepResult> {
  const namespace = tenantNamespace(tenant.metadata.name ?? '');
  if (!namespaceReady) {
    return waitingStep(
      'RBACReady',
      'WaitingForNamespace',
      `the Role lives in namespace ${namespace}, which is not ready (see NamespaceReady)`,
    );
  }
  try {
    await applyOwnerRbac(ctx, tenant);
    return readyStep(
      'RBACReady',
      'Applied',
      `owners (${tenant.spec.owners.map((o) => `${o.kind}/${o.name}`).join(', ')}) may get/list Secrets in ${namespace}`,
    );
  } catch (err) {
    const f = kubeFailure('owner RBAC', err);
    ctx.event(tenant, 'Warning', f.reason, 'EnsureRBAC', f.message);
    return failedStep('RBACReady', f.reason, f.message, true);
  }
}

async function applyOwnerRbac(ctx: StepContext, tenant: Tenant): Promise<void> {
  const { client } = ctx;
  const namespace = tenantNamespace(tenant.metadata.name ?? '');
  const roleRef = { resource: 'roles', namespace, name: CREDENTIALS_ROLE } as const;
  const bindingRef = { resource: 'rolebindings', namespace, name: CREDENTIALS_ROLE_BINDING } as const;
  const [role, binding] = await Promise.all([
    readObject<Role>(ctx, roleRef),
    readObject<RoleBinding>(ctx, bindingRef),
  ]);
  // A RoleBinding may name its Role before the Role exists, so both go at once.
  const [r, b] = await Promise.all([
    applyIfChanged(client, objectPath(roleRef), desiredRole(tenant), role, FIELD_MANAGER),
    applyIfChanged(client, objectPath(bindingRef), desiredRoleBinding(tenant), binding, FIELD_MANAGER),
  ]);
  if (r.changed) noteWrite(ctx, roleRef, r.object);
  if (b.changed) noteWrite(ctx, bindingRef, b.object);
  if (r.changed || b.changed) {
    ctx.event(
      tenant,
      'Normal',
      'RBACApplied',
      'EnsureRBAC',
      `Role ${CREDENTIALS_ROLE} and RoleBinding ${CREDENTIALS_ROLE_BINDING} in ${namespace}`,
    );
  }
}
