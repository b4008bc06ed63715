// Tenants as the operator tests write and read them: unique names, manifests, server-side apply, and waiting
// for the operator to report a Tenant Ready.
import { TENANTS_PATH, type Tenant, type TenantSpec } from '../../operator/crd/types.js';
import type { KubeClient } from '../../operator/kube/client.js';
import { waitFor } from './harness.js';

let counter = 0;
/** A unique, valid Tenant name for this test file. */
export function tenantName(prefix = 't'): string {
  counter += 1;
  return `${prefix}-${process.pid % 10000}-${counter}`;
}

export function tenantObject(
  name: string,
  spec: Partial<TenantSpec> = {},
  annotations?: Record<string, string>,
) {
  return {
    apiVersion: 'findash.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: {
      type: 'organization',
      displayName: `Tenant ${name}`,
      baseCurrency: 'USD',
      owners: [{ kind: 'User', name: `owner-of-${name}` }],
      ...spec,
    },
  };
}

/** Creates or updates a Tenant the way `kubectl apply --server-side` would. */
export async function applyTenant(kube: KubeClient, obj: ReturnType<typeof tenantObject>): Promise<Tenant> {
  return kube.apply<Tenant>(`${TENANTS_PATH}/${obj.metadata.name}`, obj, 'test-user');
}

export async function getTenant(kube: KubeClient, name: string): Promise<Tenant | null> {
  return kube.getOrNull<Tenant>(`${TENANTS_PATH}/${name}`);
}

/** Waits until the Tenant's status describes its current generation and Ready has `status`. */
export async function waitForTenant(
  kube: KubeClient,
  name: string,
  check: (t: Tenant) => boolean = (t) => readyStatus(t) === 'True',
  timeoutMs = 20_000,
): Promise<Tenant> {
  const seen: { last: Tenant | null } = { last: null };
  try {
    return await waitFor(
      async () => {
        const t = await getTenant(kube, name);
        seen.last = t;
        return t && t.status?.observedGeneration === t.metadata.generation && check(t) ? t : null;
      },
      timeoutMs,
      `tenant ${name}`,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(seen.last?.status ?? null)}`);
  }
}

export function readyStatus(t: Tenant): string | undefined {
  return t.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

export function secretToken(secret: { data?: Record<string, string> }): string {
  return Buffer.from(secret.data?.token ?? '', 'base64').toString('utf8');
}
