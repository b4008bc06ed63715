import { beforeAll, describe, expect, it } from '@jest/globals';

import { TENANTS_PATH } from '../../operator/crd/types.js';
import { KubeApiError } from '../../operator/kube/errors.js';
import type { KubeObject, Lease, ObjectList, RoleBinding, Secret } from '../../operator/kube/types.js';
import { operatorHarness, waitFor } from './harness.js';
import { SA, SA_USER, TENANT_NAMESPACE_ROLE, installOperatorRbac } from './operator-rbac.js';
import { applyTenant, getTenant, secretToken, tenantName, tenantObject, waitForTenant } from './tenants.js';

// The operator must work with only the permissions written down in operator/rbac/: it runs
// impersonating a ServiceAccount bound to that ClusterRole and the leader-election Role, and
// nothing else, through a whole Tenant lifecycle.

describe('Tenant operator: least-privilege RBAC', () => {
  const env = operatorHarness({
    prepare: async (started) => {
      await installOperatorRbac(started);
    },
    operator: { leaderElection: true, leaseDurationMs: 4000, identity: 'rbac-test' },
    impersonate: { user: SA_USER },
  });

  it('really runs as the ServiceAccount: anything outside its ClusterRole is refused', async () => {
    await expect(env.op.client.get('/api/v1/configmaps')).rejects.toMatchObject({ code: 403 });
    await expect(env.op.client.get('/apis/apps/v1/deployments')).rejects.toBeInstanceOf(KubeApiError);
  });

  describe('outside the namespaces it owns', () => {
    const other = 'unrelated-app';
    const rbacBase = `/apis/rbac.authorization.k8s.io/v1/namespaces/${other}`;
    beforeAll(async () => {
      // Someone else's namespace, Secret, and a Role that could read that Secret.
      await env.kube.apply(
        `/api/v1/namespaces/${other}`,
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: other } },
        'test',
      );
      await env.kube.apply(
        `/api/v1/namespaces/${other}/secrets/database`,
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'database', namespace: other },
          stringData: { password: 'not-for-the-operator' },
        },
        'test',
      );
      await env.kube.apply(
        `${rbacBase}/roles/secret-reader`,
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'secret-reader', namespace: other },
          rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
        },
        'test',
      );
    });

    it('cannot read, list or watch Secrets, Roles or RoleBindings there, nor cluster-wide', async () => {
      await expect(env.op.client.get(`/api/v1/namespaces/${other}/secrets/database`)).rejects.toMatchObject({
        code: 403,
      });
      for (const path of [
        `/api/v1/namespaces/${other}/secrets`,
        '/api/v1/secrets',
        `${rbacBase}/roles`,
        `${rbacBase}/rolebindings`,
        '/apis/rbac.authorization.k8s.io/v1/roles',
        '/apis/rbac.authorization.k8s.io/v1/rolebindings',
      ]) {
        await expect(env.op.client.get(path)).rejects.toMatchObject({ code: 403 });
        await expect(env.op.client.get(path, { watch: 1, timeoutSeconds: 1 })).rejects.toMatchObject({
          code: 403,
        });
      }
    });

    it('cannot grant itself (or anyone) access there with a RoleBinding', async () => {
      const binding = (roleRef: { kind: string; name: string }) => ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `sneak-${roleRef.name}`, namespace: other },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
        subjects: [{ kind: 'ServiceAccount', name: SA.name, namespace: SA.namespace }],
      });
      // A Role that reads the namespace's Secrets, and the ClusterRole it is given in tenant namespaces.
      for (const roleRef of [
        { kind: 'Role', name: 'secret-reader' },
        { kind: 'ClusterRole', name: TENANT_NAMESPACE_ROLE },
      ]) {
        const refused = await env.op.client.create(`${rbacBase}/rolebindings`, binding(roleRef)).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(refused).toBeInstanceOf(KubeApiError);
        expect([403, 422]).toContain((refused as KubeApiError).code);
      }
      expect(
        (await env.kube.get<ObjectList<KubeObject>>(`${rbacBase}/rolebindings`)).items.map(
          (b) => b.metadata.name,
        ),
      ).toEqual([]);
    });

    it('cannot label, take over or delete a namespace that is not a tenant namespace', async () => {
      await expect(
        env.op.client.mergePatch(`/api/v1/namespaces/${other}`, {
          metadata: { labels: { 'app.kubernetes.io/managed-by': 'findash-operator' } },
        }),
      ).rejects.toBeInstanceOf(KubeApiError);
      await expect(env.op.client.delete(`/api/v1/namespaces/${other}`)).rejects.toBeInstanceOf(KubeApiError);
      const ns = await env.kube.get<KubeObject>(`/api/v1/namespaces/${other}`);
      expect(ns.metadata.deletionTimestamp).toBeUndefined();
      expect(ns.metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
    });
  });

  it('leads through its Lease, then creates, updates and deletes a Tenant with only those permissions', async () => {
    await waitFor(async () => env.op.isLeader(), 15_000, 'leadership');
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

    // Drift: a deleted credentials Secret comes back (with a new token), seen through its watch.
    const secretPath = `/api/v1/namespaces/tenant-${name}/secrets/one-token`;
    const before = secretToken(await env.kube.get<Secret>(secretPath));
    await env.kube.delete(secretPath);
    const repaired = await waitFor(
      async () => {
        const s = await env.kube.getOrNull<Secret>(secretPath);
        return s ? secretToken(s) : null;
      },
      10_000,
      'the deleted Secret to come back',
    );
    expect(repaired).not.toBe(before);

    // It works in the tenant namespace through its own RoleBinding there, and gives that
    // ClusterRole to nobody else: not even inside its own namespace.
    const tenantRbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/tenant-${name}/rolebindings`;
    const grant = await env.kube.get<RoleBinding>(`${tenantRbac}/findash-operator`);
    expect({ roleRef: grant.roleRef, subjects: grant.subjects }).toEqual({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: TENANT_NAMESPACE_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: SA.name, namespace: SA.namespace }],
    });
    await expect(
      env.op.client.create(tenantRbac, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'sneak', namespace: `tenant-${name}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: TENANT_NAMESPACE_ROLE },
        subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'mallory' }],
      }),
    ).rejects.toMatchObject({ code: 403, message: expect.stringMatching(/to itself only/) });
    // If someone deletes that RoleBinding, the operator notices (its watch there) and puts it back.
    await env.kube.delete(`${tenantRbac}/findash-operator`);
    await waitFor(
      async () => env.kube.getOrNull(`${tenantRbac}/findash-operator`),
      10_000,
      "the operator's RoleBinding to come back",
    );

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
    // No namespace controller runs here, so the namespace stays Terminating rather than disappearing.
    const ns = await env.kube.getOrNull<KubeObject>(`/api/v1/namespaces/tenant-${name}`);
    expect(ns === null || ns.metadata.deletionTimestamp !== undefined).toBe(true);
  });
});
