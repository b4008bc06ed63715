import { setTimeout as sleep } from 'node:timers/promises';

import { FIELD_MANAGER, tenantNamespace, type Tenant } from '../../crd/types.js';
import { applyIfChanged, holdsDesired } from '../../kube/apply.js';
import { KubeApiError, isConflict, isNotFound } from '../../kube/errors.js';
import type { RoleBinding } from '../../kube/types.js';
import { OPERATOR_GRANT_BINDING, desiredOperatorGrant } from '../desired.js';
import type { StepContext } from './context.js';
import { noteWrite } from './reads.js';

/**
 * The operator's RoleBinding in the tenant namespace, giving its ServiceAccount the ClusterRole
 * for tenant namespaces there. Cluster-wide it may only create RoleBindings (and bind that one
 * ClusterRole), not read them: until the binding exists, reading it answers 403, which here means
 * "create it". Then it waits, briefly, for the API server's RBAC cache to let it in.
 */
export async function ensureNamespaceAccess(ctx: StepContext, tenant: Tenant): Promise<void> {
  const { client } = ctx;
  const namespace = tenantNamespace(tenant.metadata.name ?? '');
  const collection = `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`;
  const path = `${collection}/${OPERATOR_GRANT_BINDING}`;
  const desired = desiredOperatorGrant(tenant, ctx.identity);
  const ref = { resource: 'rolebindings', namespace, name: OPERATOR_GRANT_BINDING } as const;
  if (holdsDesired(desired, cachedGrant(ctx, namespace))) return;
  const live = await client.getOrNull<RoleBinding>(path).catch((err: unknown) => {
    if (err instanceof KubeApiError && err.code === 403) return undefined; // no access (yet)
    throw err;
  });
  if (live && roleRefKey(live) === roleRefKey(desired)) {
    const outcome = await applyIfChanged(client, path, desired, live, FIELD_MANAGER);
    if (outcome.changed) {
      noteWrite(ctx, ref, outcome.object);
      accessEvent(ctx, tenant, 'updated');
    }
    return;
  }
  // A roleRef cannot be changed: a binding to another role goes, and the right one is created.
  if (live) {
    await client.delete(path);
    noteWrite(ctx, ref, null);
  }
  const deadline = Date.now() + ctx.accessWaitMs;
  const created = await retryUntil(deadline, async () => {
    try {
      noteWrite(ctx, ref, await client.create<RoleBinding>(collection, desired));
      return true;
    } catch (err) {
      if (isConflict(err)) return false; // there already, but not letting us in: see below
      // The admission policy reads the namespace from a cache that may not hold a brand-new one yet.
      if (isNotFound(err)) return undefined;
      throw err;
    }
  });
  if (created) accessEvent(ctx, tenant, 'created');
  const allowed = await retryUntil(deadline, async () => {
    try {
      await client.get(path);
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 403) return undefined;
      throw err;
    }
  });
  if (!allowed) throw notLetIn(ctx, namespace, path);
}

/**
 * The binding as the namespace's RoleBinding watch holds it. That watch lists and watches through
 * this very binding, so a fresh copy that already says what we want is proof we are let in; anything
 * else is settled with the API server, where a 403 tells "not there (yet)" from "there".
 */
function cachedGrant(ctx: StepContext, namespace: string): RoleBinding | null {
  return (
    (ctx.cache()?.get('rolebindings', namespace, OPERATOR_GRANT_BINDING) as RoleBinding | undefined) ?? null
  );
}

function notLetIn(ctx: StepContext, namespace: string, path: string): KubeApiError {
  const sa = ctx.identity.serviceAccount;
  return new KubeApiError(
    403,
    {
      message:
        `RoleBinding ${namespace}/${OPERATOR_GRANT_BINDING} does not let ServiceAccount ${sa.namespace}/${sa.name} ` +
        `in (ClusterRole ${ctx.identity.tenantNamespaceRole}); if someone changed it, delete it and the operator re-creates it`,
    },
    'GET',
    path,
  );
}

/** Calls `attempt` until it returns a boolean or the deadline passes (then: the last answer, or false). */
async function retryUntil(deadline: number, attempt: () => Promise<boolean | undefined>): Promise<boolean> {
  for (;;) {
    const answer = await attempt();
    if (answer !== undefined) return answer;
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
}

function roleRefKey(binding: RoleBinding): string {
  return `${binding.roleRef.kind}/${binding.roleRef.name}`;
}

function accessEvent(ctx: StepContext, tenant: Tenant, what: 'created' | 'updated'): void {
  ctx.event(
    tenant,
    'Normal',
    'AccessGranted',
    'EnsureNamespace',
    `RoleBinding ${tenantNamespace(tenant.metadata.name ?? '')}/${OPERATOR_GRANT_BINDING} ${what}: ClusterRole ${ctx.identity.tenantNamespaceRole} for the operator in this namespace only`,
  );
}
