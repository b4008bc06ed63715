import { describe, expect, it } from '@jest/globals';

import { TENANTS_PATH } from '../../operator/crd/types.js';
import type { Namespace } from '../../operator/kube/types.js';
import { waitFor } from './harness.js';
import { lifecycleHarness } from './lifecycle-harness.js';
import { applyTenant, getTenant, secretToken, tenantName, tenantObject, waitForTenant } from './tenants.js';

/** What others break is put back, a spec the database refuses is reported, and both deletion policies. */
describe('Tenant operator: repair, refusal and deletion', () => {
  const { env, dashboard, secret, platform } = lifecycleHarness();

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
});
