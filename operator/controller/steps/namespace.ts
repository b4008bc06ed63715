import { FIELD_MANAGER, tenantNamespace, type Tenant } from '../../crd/types.js';
import { applyIfChanged } from '../../kube/apply.js';
import type { Namespace } from '../../kube/types.js';
import { OPERATOR_GRANT_BINDING, desiredNamespace } from '../desired.js';
import type { StepContext } from './context.js';
import { kubeFailure } from './failures.js';
import { ensureNamespaceAccess } from './namespace-access.js';
import { noteWrite, objectPath, readObject } from './reads.js';
import { failedStep, readyStep, type StepResult } from './step-result.js';

/**
 * Namespace tenant-<name>, and the operator's own way into it. Every other step works inside the
 * namespace, so NamespaceReady=True also means the operator may act there.
 */
export async function ensureNamespace(ctx: StepContext, tenant: Tenant): Promise<StepResult> {
  const namespace = tenantNamespace(tenant.metadata.name ?? '');
  const ref = { resource: 'namespaces', name: namespace } as const;
  const path = objectPath(ref);
  try {
    const live = await readObject<Namespace>(ctx, ref);
    if (live?.metadata.deletionTimestamp) {
      return {
        ok: false,
        retry: false,
        waitMs: ctx.waitRequeueMs,
        condition: {
          type: 'NamespaceReady',
          status: 'False',
          reason: 'NamespaceTerminating',
          message: `namespace ${namespace} is still being deleted (left by an earlier Tenant of this name); waiting for it to go`,
        },
      };
    }
    const outcome = await applyIfChanged(ctx.client, path, desiredNamespace(tenant), live, FIELD_MANAGER);
    if (outcome.changed) {
      noteWrite(ctx, ref, outcome.object);
      const reason = live ? 'NamespaceUpdated' : 'NamespaceCreated';
      ctx.event(tenant, 'Normal', reason, 'EnsureNamespace', `namespace ${namespace}`);
    }
    await ensureNamespaceAccess(ctx, tenant);
    ctx.onNamespaceAccess?.(tenant.metadata.name ?? '', namespace);
    return readyStep(
      'NamespaceReady',
      'Applied',
      `namespace ${namespace} exists, and the operator works in it through RoleBinding ${OPERATOR_GRANT_BINDING}`,
    );
  } catch (err) {
    const f = kubeFailure(`namespace ${namespace}`, err);
    ctx.event(tenant, 'Warning', f.reason, 'EnsureNamespace', f.message);
    return failedStep('NamespaceReady', f.reason, f.message, true);
  }
}
