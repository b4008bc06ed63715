import { describe, expect, it } from '@jest/globals';

import { TENANTS_PATH } from '../../operator/crd/types.js';
import type { Namespace } from '../../operator/kube/types.js';
import { waitFor } from './harness.js';
import { lifecycleHarness } from './lifecycle-harness.js';
import {
  applyTenant,
  getTenant,
  readyStatus,
  secretToken,
  tenantName,
  tenantObject,
  waitForTenant,
} from './tenants.js';

/** A ready Tenant changed: a resync that writes nothing, spec changes, suspension and token rotation. */
describe('Tenant operator: changes to a Tenant', () => {
  const { env, dashboard, secrets, secret, platform } = lifecycleHarness();

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
});
