import { describe, expect, it } from '@jest/globals';

import type { Namespace, ObjectList, Role, RoleBinding } from '../../operator/kube/types.js';
import { kubectl } from '../harness/kube.js';
import { waitFor } from './harness.js';
import { lifecycleHarness } from './lifecycle-harness.js';
import { applyTenant, secretToken, tenantName, tenantObject, waitForTenant } from './tenants.js';

/**
 * The Tenant lifecycle against a real kube-apiserver + etcd and PostgreSQL 17, with the real API
 * answering the tokens the operator hands out: a new Tenant made ready, tenants kept apart, metrics, kubectl.
 */
describe('Tenant operator: lifecycle', () => {
  const { env, dashboard, secret, platform } = lifecycleHarness();

  it('turns a new Tenant into a ready tenant: DB rows, namespace, Secrets, RBAC, status, events', async () => {
    const name = tenantName('acme');
    const applied = await applyTenant(
      env.kube,
      tenantObject(name, {
        baseCurrency: 'EUR',
        timezone: 'Europe/Madrid',
        owners: [
          { kind: 'User', name: 'cfo@acme.example' },
          { kind: 'Group', name: 'acme-admins' },
        ],
        members: [
          { kind: 'User', name: 'ana@acme.example', role: 'analyst' },
          { kind: 'ServiceAccount', namespace: 'reports', name: 'generator', role: 'viewer' },
        ],
        apiClients: [
          { name: 'ci', role: 'admin' },
          { name: 'grafana', role: 'viewer' },
        ],
        limits: { requestsPerMinute: 300, maxAccounts: 10 },
      }),
    );
    const started = Date.now();
    const tenant = await waitForTenant(env.kube, name);
    expect(Date.now() - started).toBeLessThan(5000);

    expect(tenant.metadata.finalizers).toContain('findash.io/finalizer');
    expect(tenant.status).toMatchObject({
      phase: 'Ready',
      observedGeneration: 1,
      namespace: `tenant-${name}`,
      memberCount: 2,
      apiClientCount: 2,
      credentials: [
        { client: 'ci', secretName: 'ci-token' },
        { client: 'grafana', secretName: 'grafana-token' },
      ],
    });
    const types = (tenant.status?.conditions ?? []).map((c) => [c.type, c.status]);
    expect(types).toEqual([
      ['Ready', 'True'],
      ['DatabaseSynced', 'True'],
      ['NamespaceReady', 'True'],
      ['CredentialsReady', 'True'],
      ['RBACReady', 'True'],
    ]);

    // Database: the row is keyed by the Tenant's UID; owners are admins; one token per client.
    const row = await platform((trx) => trx('tenants').where({ k8s_uid: applied.metadata.uid }).first());
    expect(row).toMatchObject({
      id: tenant.status?.tenantId,
      name,
      type: 'organization',
      base_currency: 'EUR',
      timezone: 'Europe/Madrid',
      status: 'active',
      limits: { requestsPerMinute: 300, maxAccounts: 10 },
    });
    const bindings = await platform((trx) =>
      trx('rbac_bindings').where({ tenant_id: row.id }).orderBy('subject').select('subject', 'role'),
    );
    expect(bindings).toEqual([
      { subject: 'ana@acme.example', role: 'analyst' },
      { subject: 'cfo@acme.example', role: 'admin' },
      { subject: 'group:acme-admins', role: 'admin' },
      { subject: 'system:serviceaccount:reports:generator', role: 'viewer' },
    ]);
    const tokens = await platform((trx) =>
      trx('api_tokens')
        .where({ tenant_id: row.id })
        .whereNull('revoked_at')
        .orderBy('name')
        .select('name', 'role'),
    );
    expect(tokens).toEqual([
      { name: 'ci', role: 'admin' },
      { name: 'grafana', role: 'viewer' },
    ]);

    // Kubernetes: namespace, Secrets, Role, RoleBinding — all owned by the Tenant.
    const ns = await env.kube.get<Namespace>(`/api/v1/namespaces/tenant-${name}`);
    expect(ns.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Tenant',
      name,
      uid: applied.metadata.uid,
      controller: true,
    });
    const ci = (await secret(name, 'ci'))!;
    const decoded = Object.fromEntries(
      Object.entries(ci.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
    expect(decoded).toMatchObject({
      tenant: name,
      tenantId: row.id,
      client: 'ci',
      role: 'admin',
      apiUrl: 'https://findash.test',
    });
    expect(decoded.token).toMatch(/^fdt_/);
    expect(ci.metadata.ownerReferences?.[0]?.uid).toBe(applied.metadata.uid);
    const role = await env.kube.get<Role>(
      `/apis/rbac.authorization.k8s.io/v1/namespaces/tenant-${name}/roles/findash-tenant-credentials-reader`,
    );
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }]);
    const rb = await env.kube.get<RoleBinding>(
      `/apis/rbac.authorization.k8s.io/v1/namespaces/tenant-${name}/rolebindings/findash-tenant-owners`,
    );
    expect(rb.subjects.map((s) => `${s.kind}/${s.name}`)).toEqual([
      'User/cfo@acme.example',
      'Group/acme-admins',
    ]);

    // The owner may read the Secret; a member may not (SubjectAccessReview by the API server).
    const review = async (user: string, groups: string[] = []) =>
      (
        await env.kube.create<{ status: { allowed: boolean } }>(
          '/apis/authorization.k8s.io/v1/subjectaccessreviews',
          {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: {
              user,
              groups,
              resourceAttributes: {
                namespace: `tenant-${name}`,
                verb: 'get',
                resource: 'secrets',
                name: 'ci-token',
              },
            },
          },
        )
      ).status.allowed;
    expect(await review('cfo@acme.example')).toBe(true);
    expect(await review('someone', ['acme-admins'])).toBe(true);
    expect(await review('ana@acme.example')).toBe(false);

    // Events explain what happened.
    const events = await waitFor(async () => {
      const list = await env.kube.get<ObjectList<{ reason: string; regarding: { name: string } }>>(
        '/apis/events.k8s.io/v1/namespaces/default/events',
      );
      const reasons = list.items.filter((e) => e.regarding.name === name).map((e) => e.reason);
      return reasons.includes('TokenIssued') && reasons.includes('NamespaceCreated') ? reasons : null;
    });
    expect(events).toEqual(
      expect.arrayContaining(['TenantCreated', 'NamespaceCreated', 'TokenIssued', 'RBACApplied']),
    );

    // The token in the Secret opens that tenant's dashboard, and only that tenant's.
    const res = await dashboard(decoded.token!);
    expect(res.statusCode).toBe(200);
    expect(res.json().tenant_info).toMatchObject({ id: row.id, name, base_currency: 'EUR' });
  });

  it('keeps tenants apart: each Secret token resolves to its own tenant only', async () => {
    const a = tenantName('iso-a');
    const b = tenantName('iso-b');
    await applyTenant(env.kube, tenantObject(a, { apiClients: [{ name: 'app', role: 'viewer' }] }));
    await applyTenant(env.kube, tenantObject(b, { apiClients: [{ name: 'app', role: 'viewer' }] }));
    await waitForTenant(env.kube, a);
    await waitForTenant(env.kube, b);
    const ta = secretToken((await secret(a, 'app'))!);
    const tb = secretToken((await secret(b, 'app'))!);
    expect(ta).not.toBe(tb);
    expect((await dashboard(ta)).json().tenant_info.name).toBe(a);
    expect((await dashboard(tb)).json().tenant_info.name).toBe(b);
  });

  it('counts tenants by phase in its metrics', async () => {
    await waitFor(async () => {
      const text = await env.op.metrics.registry.metrics();
      const ready = /findash_operator_tenants\{phase="Ready"\} (\d+)/.exec(text);
      return ready && Number(ready[1]) >= 3;
    });
    const text = await env.op.metrics.registry.metrics();
    expect(text).toMatch(/controller_runtime_reconcile_total\{controller="tenant",result="success"\} [1-9]/);
    expect(text).toMatch(/workqueue_adds_total\{name="tenant"\} [1-9]/);
  });

  it('lists tenants with useful printer columns (kubectl get tenants)', async () => {
    const name = tenantName('cols');
    await applyTenant(
      env.kube,
      tenantObject(name, {
        apiClients: [{ name: 'app', role: 'viewer' }],
        members: [{ kind: 'User', name: 'm', role: 'viewer' }],
      }),
    );
    await waitForTenant(env.kube, name);
    const out = await kubectl(env.cp, ['get', 'tnt', name]);
    const [header, row] = out.trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual([
      'NAME',
      'TYPE',
      'PHASE',
      'READY',
      'MEMBERS',
      'API CLIENTS',
      'SUSPENDED',
      'AGE',
    ]);
    expect(row!.split(/\s+/).slice(0, 7)).toEqual([name, 'organization', 'Ready', 'True', '1', '1', 'false']);
    const explained = await kubectl(env.cp, ['explain', 'tenant.spec.members']);
    expect(explained).toMatch(/viewer \(read dashboards\)/);
  });
});
