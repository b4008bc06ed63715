import { readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';

import { TENANTS_PATH } from '../../operator/crd/types.js';
import { KubeApiError } from '../../operator/kube/client.js';
import type { KubeObject, Lease, ObjectList, Secret } from '../../operator/kube/types.js';
import type { OperatorHandle } from '../../operator/operator.js';
import { repoRoot } from '../harness/repo-root.js';
import {
  applyTenant,
  getTenant,
  startOperatorEnv,
  tenantName,
  tenantObject,
  waitFor,
  waitForTenant,
  type OperatorTestEnv,
} from './harness.js';

/**
 * The operator must work with only the permissions written down in operator/rbac/: it runs
 * impersonating a ServiceAccount bound to that ClusterRole and the leader-election Role, and
 * nothing else, through a whole Tenant lifecycle.
 */
const SA = { namespace: 'findash-system', name: 'findash-operator' };
const SA_USER = `system:serviceaccount:${SA.namespace}:${SA.name}`;

const PLURALS: Record<string, string> = {
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  Role: 'roles',
  RoleBinding: 'rolebindings',
};

describe('Tenant operator: least-privilege RBAC', () => {
  let env: OperatorTestEnv;
  let op: OperatorHandle;

  beforeAll(async () => {
    env = await startOperatorEnv();
    cleanup.push(() => env.stop());
    await env.kube.apply(
      `/api/v1/namespaces/${SA.namespace}/serviceaccounts/${SA.name}`,
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: SA },
      'test',
    );
    for (const file of ['clusterrole.yaml', 'leader-election-role.yaml']) {
      const text = readFileSync(path.join(repoRoot(), 'operator', 'rbac', file), 'utf8');
      for (const doc of parseAllDocuments(text)) {
        const obj = doc.toJSON() as KubeObject & { kind: string };
        const ns = obj.metadata.namespace;
        const base = '/apis/rbac.authorization.k8s.io/v1';
        const url = ns
          ? `${base}/namespaces/${ns}/${PLURALS[obj.kind]}/${obj.metadata.name}`
          : `${base}/${PLURALS[obj.kind]}/${obj.metadata.name}`;
        await env.kube.apply(url, obj, 'test');
      }
    }
    op = await env.startOperator(
      { leaderElection: true, leaseDurationMs: 4000, identity: 'rbac-test' },
      { user: SA_USER },
    );
  }, 300_000);

  // Set only once beforeAll got that far, so a failed start still cleans up what it made.
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('really runs as the ServiceAccount: anything outside its ClusterRole is refused', async () => {
    await expect(op.client.get('/api/v1/configmaps')).rejects.toMatchObject({ code: 403 });
    await expect(op.client.get('/apis/apps/v1/deployments')).rejects.toBeInstanceOf(KubeApiError);
  });

  it('leads through its Lease, then creates, updates and deletes a Tenant with only those permissions', async () => {
    await waitFor(async () => op.isLeader(), 15_000, 'leadership');
    const lease = await env.kube.get<Lease>(
      `/apis/coordination.k8s.io/v1/namespaces/${SA.namespace}/leases/findash-operator`,
    );
    expect(lease.spec?.holderIdentity).toBe('rbac-test');

    const name = tenantName('rbac');
    await applyTenant(
      env.kube,
      tenantObject(name, {
        deletionPolicy: 'Delete',
        owners: [{ kind: 'ServiceAccount', namespace: 'ops', name: 'reader' }],
        members: [{ kind: 'User', name: 'm', role: 'viewer' }],
        apiClients: [
          { name: 'one', role: 'viewer' },
          { name: 'two', role: 'admin' },
        ],
      }),
    );
    const ready = await waitForTenant(env.kube, name);
    expect(ready.status?.conditions?.every((c) => c.status === 'True')).toBe(true);
    expect(
      (await env.kube.get<ObjectList<Secret>>(`/api/v1/namespaces/tenant-${name}/secrets`)).items.map(
        (s) => s.metadata.name,
      ),
    ).toEqual(['one-token', 'two-token']);

    // Rotation (annotation removal), a removed client (Secret deletion), a spec change.
    await env.kube.mergePatch(`${TENANTS_PATH}/${name}`, {
      metadata: { annotations: { 'findash.io/rotate-token': 'one' } },
    });
    await waitFor(
      async () => !(await getTenant(env.kube, name))!.metadata.annotations?.['findash.io/rotate-token'],
    );
    await applyTenant(
      env.kube,
      tenantObject(name, {
        deletionPolicy: 'Delete',
        owners: [{ kind: 'ServiceAccount', namespace: 'ops', name: 'reader' }],
        apiClients: [{ name: 'one', role: 'analyst' }],
      }),
    );
    await waitForTenant(env.kube, name, (t) => t.metadata.generation === 2 && t.status?.phase === 'Ready');
    expect(await env.kube.getOrNull(`/api/v1/namespaces/tenant-${name}/secrets/two-token`)).toBeNull();

    // Events were recorded under the ServiceAccount.
    const events = await env.kube.get<
      ObjectList<{ reason: string; regarding: { name: string }; reportingInstance: string }>
    >('/apis/events.k8s.io/v1/namespaces/default/events');
    expect(events.items.filter((e) => e.regarding.name === name).map((e) => e.reason)).toEqual(
      expect.arrayContaining(['TenantCreated', 'TokenIssued']),
    );

    await env.kube.delete(`${TENANTS_PATH}/${name}`);
    await waitFor(async () => (await getTenant(env.kube, name)) === null, 20_000, 'tenant finalized');
  });
});
