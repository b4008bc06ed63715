import { beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';

import { buildApp } from '../../app/build.js';
import { loadConfig } from '../../app/config.js';
import { TENANTS_PATH } from '../../operator/crd/types.js';
import type { Namespace, ObjectList, Role, RoleBinding, Secret } from '../../operator/kube/types.js';
import { kubectl } from '../harness/kube.js';
import { operatorHarness, waitFor } from './harness.js';
import {
  applyTenant,
  getTenant,
  readyStatus,
  secretToken,
  tenantName,
  tenantObject,
  waitForTenant,
} from './tenants.js';

/**
 * The Tenant lifecycle against a real kube-apiserver + etcd and PostgreSQL 17, with the real API
 * answering the tokens the operator hands out.
 */
describe('Tenant operator: lifecycle', () => {
  const env = operatorHarness({ operator: { concurrency: 4 } });
  let api: FastifyInstance;

  beforeAll(async () => {
    const config = loadConfig({
      FINDASH_ENV: 'testing',
      LOG_LEVEL: 'silent',
      DATABASE_URL: env.db.appUrl,
      DATABASE_OWNER_URL: env.db.ownerUrl,
    });
    api = await buildApp({ config, logger: false, authCacheTtlMs: 0 });
    env.onStop(() => api.close());
    await api.ready();
  }, 300_000);

  const dashboard = (token: string) =>
    api.inject({ method: 'GET', url: '/financial/dashboard', headers: { authorization: `Bearer ${token}` } });

  const secrets = async (tenant: string) =>
    (await env.kube.get<ObjectList<Secret>>(`/api/v1/namespaces/tenant-${tenant}/secrets`)).items;

  const secret = (tenant: string, client: string) =>
    env.kube.getOrNull<Secret>(`/api/v1/namespaces/tenant-${tenant}/secrets/${client}-token`);

  const platform = async <T>(work: (trx: import('knex').Knex.Transaction) => Promise<T>): Promise<T> =>
    env.sql.transaction(async (trx) => {
      await trx.raw(`select set_config('app.platform', 'on', true)`);
      return work(trx);
    });

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

  it('a resync of a converged Tenant writes nothing to the API server or the database', async () => {
    const name = tenantName('noop');
    await applyTenant(
      env.kube,
      tenantObject(name, {
        apiClients: [
          { name: 'one', role: 'viewer' },
          { name: 'two', role: 'admin' },
        ],
      }),
    );
    await waitForTenant(env.kube, name);
    const controller = env.op.controller()!;
    await controller.queue.whenIdle();
    await env.op.controller()!.queue.whenIdle();

    const snapshot = async () => {
      const t = (await getTenant(env.kube, name))!;
      const list = await secrets(name);
      const ns = await env.kube.get<Namespace>(`/api/v1/namespaces/tenant-${name}`);
      const row = await platform((trx) => trx('tenants').where({ name }).first('id', 'updated_at'));
      const tokens = await platform((trx) =>
        trx('api_tokens').where({ tenant_id: row.id }).select('id', 'revoked_at', 'role'),
      );
      const audit = await platform((trx) =>
        trx('audit_events').where({ tenant_id: row.id }).count('* as n').first(),
      );
      return {
        tenant: t.metadata.resourceVersion,
        ns: ns.metadata.resourceVersion,
        secrets: list.map((s) => `${s.metadata.name}@${s.metadata.resourceVersion}`).sort(),
        updatedAt: (row.updated_at as Date).toISOString(),
        tokens: JSON.stringify(tokens),
        audit: audit?.n,
      };
    };
    const before = await snapshot();
    const writes = () =>
      ['POST', 'PUT', 'PATCH', 'DELETE'].reduce((n, v) => n + (env.op.client.counts[v] ?? 0), 0);
    const writesBefore = writes();
    let dbWrites = 0;
    const onQuery = (q: { sql: string }) => {
      if (/^\s*(insert|update|delete)\b/i.test(q.sql)) dbWrites += 1;
    };
    env.op.db.on('query', onQuery);
    try {
      for (let i = 0; i < 3; i++) {
        controller.queue.add(name);
        await controller.queue.whenIdle();
      }
    } finally {
      env.op.db.off('query', onQuery);
    }
    expect(writes() - writesBefore).toBe(0);
    expect(dbWrites).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('follows spec changes: members, API clients, roles; removed clients lose their token', async () => {
    const name = tenantName('upd');
    const base = {
      members: [{ kind: 'User' as const, name: 'bob', role: 'viewer' as const }],
      apiClients: [
        { name: 'keep', role: 'viewer' as const },
        { name: 'drop', role: 'viewer' as const },
      ],
    };
    await applyTenant(env.kube, tenantObject(name, base));
    const first = await waitForTenant(env.kube, name);
    const keepToken = secretToken((await secret(name, 'keep'))!);
    const dropToken = secretToken((await secret(name, 'drop'))!);
    expect((await dashboard(dropToken)).statusCode).toBe(200);

    await applyTenant(
      env.kube,
      tenantObject(name, {
        members: [
          { kind: 'User', name: 'bob', role: 'admin' },
          { kind: 'Group', name: 'auditors', role: 'analyst' },
        ],
        apiClients: [
          { name: 'keep', role: 'analyst' },
          { name: 'added', role: 'viewer' },
        ],
      }),
    );
    const second = await waitForTenant(
      env.kube,
      name,
      (t) => readyStatus(t) === 'True' && t.metadata.generation === 2,
    );
    expect(second.status?.observedGeneration).toBe(2);
    expect(second.status?.observedGeneration).toBeGreaterThan(first.status!.observedGeneration!);
    expect(second.status?.credentials?.map((c) => c.client)).toEqual(['keep', 'added']);

    const row = await platform((trx) => trx('tenants').where({ name }).first('id'));
    const bindings = await platform((trx) =>
      trx('rbac_bindings').where({ tenant_id: row.id }).orderBy('subject').select('subject', 'role'),
    );
    expect(bindings).toEqual([
      { subject: 'bob', role: 'admin' },
      { subject: 'group:auditors', role: 'analyst' },
      { subject: `owner-of-${name}`, role: 'admin' },
    ]);

    // A role change keeps the token (the Secret's role key follows); a removed client's Secret
    // goes and its token stops working; an added client gets a working token.
    const keep = (await secret(name, 'keep'))!;
    expect(secretToken(keep)).toBe(keepToken);
    expect(Buffer.from(keep.data!.role!, 'base64').toString()).toBe('analyst');
    expect(await secret(name, 'drop')).toBeNull();
    const dropped = await dashboard(dropToken);
    expect(dropped.statusCode).toBe(401);
    expect((await dashboard(keepToken)).statusCode).toBe(200);
    expect((await dashboard(secretToken((await secret(name, 'added'))!))).statusCode).toBe(200);
  });

  it('suspends and resumes: the API answers 403 while spec.suspended is true', async () => {
    const name = tenantName('susp');
    await applyTenant(env.kube, tenantObject(name, { apiClients: [{ name: 'app', role: 'viewer' }] }));
    await waitForTenant(env.kube, name);
    const token = secretToken((await secret(name, 'app'))!);
    expect((await dashboard(token)).statusCode).toBe(200);

    await applyTenant(
      env.kube,
      tenantObject(name, { apiClients: [{ name: 'app', role: 'viewer' }], suspended: true }),
    );
    const suspended = await waitForTenant(env.kube, name, (t) => t.status?.phase === 'Suspended');
    expect(suspended.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Suspended',
    });
    const denied = await dashboard(token);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().message).toMatch(/suspended/);

    await applyTenant(
      env.kube,
      tenantObject(name, { apiClients: [{ name: 'app', role: 'viewer' }], suspended: false }),
    );
    await waitForTenant(env.kube, name, (t) => t.status?.phase === 'Ready');
    expect((await dashboard(token)).statusCode).toBe(200);
  });

  it('rotates tokens on request: rotate-token (then removes it) and rotate-tokens-at', async () => {
    const name = tenantName('rot');
    const clients = [
      { name: 'a', role: 'viewer' as const },
      { name: 'b', role: 'viewer' as const },
    ];
    await applyTenant(env.kube, tenantObject(name, { apiClients: clients }));
    await waitForTenant(env.kube, name);
    const a1 = secretToken((await secret(name, 'a'))!);
    const b1 = secretToken((await secret(name, 'b'))!);

    await env.kube.mergePatch(`${TENANTS_PATH}/${name}`, {
      metadata: { annotations: { 'findash.io/rotate-token': 'a' } },
    });
    const a2 = await waitFor(async () => {
      const t = secretToken((await secret(name, 'a'))!);
      return t !== a1 ? t : null;
    });
    await waitFor(
      async () => !(await getTenant(env.kube, name))!.metadata.annotations?.['findash.io/rotate-token'],
    );
    expect(secretToken((await secret(name, 'b'))!)).toBe(b1);
    expect((await dashboard(a1)).statusCode).toBe(401);
    expect((await dashboard(a2)).statusCode).toBe(200);
    expect((await dashboard(b1)).statusCode).toBe(200);

    const at = new Date(Date.now() + 1000).toISOString();
    await waitFor(async () => Date.now() > Date.parse(at) + 50);
    await env.kube.mergePatch(`${TENANTS_PATH}/${name}`, {
      metadata: { annotations: { 'findash.io/rotate-tokens-at': at } },
    });
    await waitFor(async () => {
      const ta = secretToken((await secret(name, 'a'))!);
      const tb = secretToken((await secret(name, 'b'))!);
      return ta !== a2 && tb !== b1;
    });
    expect((await dashboard(a2)).statusCode).toBe(401);
    expect((await dashboard(b1)).statusCode).toBe(401);
    // Declarative: the annotation stays, and later passes do not rotate again.
    const settled = secretToken((await secret(name, 'a'))!);
    env.op.controller()!.queue.add(name);
    await env.op.controller()!.queue.whenIdle();
    expect(secretToken((await secret(name, 'a'))!)).toBe(settled);
  });

  it('repairs what others break: a deleted Secret comes back with a fresh token, the old one revoked', async () => {
    const name = tenantName('heal');
    await applyTenant(env.kube, tenantObject(name, { apiClients: [{ name: 'app', role: 'viewer' }] }));
    await waitForTenant(env.kube, name);
    const old = secretToken((await secret(name, 'app'))!);
    await env.kube.delete(`/api/v1/namespaces/tenant-${name}/secrets/app-token`);
    const fresh = await waitFor(async () => {
      const s = await secret(name, 'app');
      return s ? secretToken(s) : null;
    });
    expect(fresh).not.toBe(old);
    expect((await dashboard(old)).statusCode).toBe(401);
    expect((await dashboard(fresh)).statusCode).toBe(200);
  });

  it('reports a spec the database refuses as Failed with an actionable message', async () => {
    const name = tenantName('bad');
    // XYZ passes the CRD's format check but is not an ISO 4217 code.
    await applyTenant(env.kube, tenantObject(name, { baseCurrency: 'XYZ' }));
    const t = await waitForTenant(env.kube, name, (x) => x.status?.phase === 'Failed');
    const db = t.status?.conditions?.find((c) => c.type === 'DatabaseSynced');
    expect(db).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(db?.message).toMatch(/XYZ.*ISO 4217/);
    expect(t.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InvalidSpec',
    });

    await applyTenant(env.kube, tenantObject(name, { baseCurrency: 'CHF' }));
    await waitForTenant(env.kube, name);
  });

  it('deletes with deletionPolicy Retain: row kept as deleted, tokens revoked, finalizer removed', async () => {
    const name = tenantName('ret');
    const created = await applyTenant(
      env.kube,
      tenantObject(name, { apiClients: [{ name: 'app', role: 'viewer' }] }),
    );
    await waitForTenant(env.kube, name);
    const token = secretToken((await secret(name, 'app'))!);
    await env.kube.delete(`${TENANTS_PATH}/${name}`);
    await waitFor(async () => (await getTenant(env.kube, name)) === null, 20_000, 'tenant gone');

    const row = await platform((trx) => trx('tenants').where({ k8s_uid: created.metadata.uid }).first());
    expect(row?.status).toBe('deleted');
    const active = await platform((trx) =>
      trx('api_tokens').where({ tenant_id: row.id }).whereNull('revoked_at'),
    );
    expect(active).toHaveLength(0);
    expect((await dashboard(token)).statusCode).toBe(401);
    const ns = await env.kube.getOrNull<Namespace>(`/api/v1/namespaces/tenant-${name}`);
    expect(ns === null || ns.metadata.deletionTimestamp !== undefined).toBe(true);
  });

  it('deletes with deletionPolicy Delete: the tenant and its rows are removed, finalizer removed', async () => {
    const name = tenantName('del');
    const created = await applyTenant(
      env.kube,
      tenantObject(name, {
        deletionPolicy: 'Delete',
        members: [{ kind: 'User', name: 'x', role: 'viewer' }],
        apiClients: [{ name: 'app', role: 'viewer' }],
      }),
    );
    const ready = await waitForTenant(env.kube, name);
    const id = ready.status?.tenantId;
    await env.kube.delete(`${TENANTS_PATH}/${name}`);
    await waitFor(async () => (await getTenant(env.kube, name)) === null, 20_000, 'tenant gone');
    expect(
      await platform((trx) => trx('tenants').where({ k8s_uid: created.metadata.uid }).first()),
    ).toBeUndefined();
    expect(await platform((trx) => trx('api_tokens').where({ tenant_id: id }))).toHaveLength(0);
    expect(await platform((trx) => trx('rbac_bindings').where({ tenant_id: id }))).toHaveLength(0);
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
