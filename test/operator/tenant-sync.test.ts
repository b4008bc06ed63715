import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { createKnex } from '../../app/db/knex.js';
import type { Role } from '../../app/domain/auth/roles.js';
import { hashToken } from '../../app/domain/auth/tokens.js';
import { issueApiToken } from '../../app/domain/tenants/api-tokens.js';
import {
  retireTenant,
  subjectKey,
  syncTenant,
  type DesiredTenant,
  type TokenRequests,
} from '../../app/domain/tenants/tenant-sync.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

/**
 * The operator's database side (app/domain/tenants/tenant-sync.ts) on real PostgreSQL 17 with
 * forced row-level security: idempotent, one transaction, tokens kept only while the Secret
 * holds a matching one.
 */
describe('tenant-sync', () => {
  let db: TestDatabase;
  let knex: Knex;
  const cleanup: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    cleanup.push(() => db.drop());
    knex = createKnex({ url: db.ownerUrl, poolMax: 4 });
    cleanup.push(() => knex.destroy());
  });
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  let n = 0;
  function desired(overrides: Partial<DesiredTenant> = {}): DesiredTenant {
    n += 1;
    return {
      k8sUid: randomUUID(),
      name: `sync-${n}`,
      type: 'organization',
      displayName: `Sync ${n}`,
      baseCurrency: 'USD',
      timezone: 'UTC',
      suspended: false,
      limits: {},
      bindings: new Map<string, Role>([[subjectKey('User', 'owner'), 'admin']]),
      clients: new Map<string, Role>([['app', 'viewer']]),
      ...overrides,
    };
  }
  const none: TokenRequests = { presented: new Map(), rotate: new Set() };
  const presented = (entries: Array<[string, string]>): TokenRequests => ({
    presented: new Map(entries),
    rotate: new Set(),
  });

  const platform = <T>(work: (trx: Knex.Transaction) => Promise<T>) =>
    knex.transaction(async (trx) => {
      await trx.raw(`select set_config('app.platform', 'on', true)`);
      return work(trx);
    });
  const activeTokens = (tenantId: string) =>
    platform((trx) =>
      trx('api_tokens')
        .where({ tenant_id: tenantId })
        .whereNull('revoked_at')
        .select<Array<{ id: string; name: string; role: Role; token_hash: Buffer }>>(
          'id',
          'name',
          'role',
          'token_hash',
        ),
    );

  it('names subjects the way authenticators look them up', () => {
    expect(subjectKey('User', 'alice@example.com')).toBe('alice@example.com');
    expect(subjectKey('Group', 'finance')).toBe('group:finance');
    expect(subjectKey('ServiceAccount', 'bot', 'ops')).toBe('system:serviceaccount:ops:bot');
  });

  it('creates the tenant, then a second pass with the Secret tokens writes nothing', async () => {
    const d = desired();
    const first = await syncTenant(knex, d, none);
    expect(first).toMatchObject({ created: true, wrote: true, bindingsAdded: 1 });
    expect(first.credentials).toHaveLength(1);
    expect(first.credentials[0]).toMatchObject({ client: 'app', role: 'viewer', issued: true });
    const token = first.credentials[0]!.token;

    const before = await platform((trx) => trx('tenants').where({ id: first.tenantId }).first('updated_at'));
    let writes = 0;
    const count = (q: { sql: string }) => {
      if (/^\s*(insert|update|delete)\b/i.test(q.sql)) writes += 1;
    };
    knex.on('query', count);
    const second = await syncTenant(knex, d, presented([['app', token]]));
    knex.off('query', count);
    expect(second).toMatchObject({ created: false, wrote: false, tenantChanges: [] });
    expect(second.credentials[0]).toMatchObject({ token, issued: false });
    expect(writes).toBe(0);
    const after = await platform((trx) => trx('tenants').where({ id: first.tenantId }).first('updated_at'));
    expect(after.updated_at).toEqual(before.updated_at);
  });

  it('replaces a token whose Secret is missing or wrong, and cleans up tokens a crash left behind', async () => {
    const d = desired();
    const first = await syncTenant(knex, d, none);
    const original = first.credentials[0]!.token;
    // A pass that crashed after issuing but before writing the Secret leaves an extra live token.
    await platform((trx) => issueApiToken(trx, first.tenantId, 'app', 'viewer'));
    expect(await activeTokens(first.tenantId)).toHaveLength(2);

    const kept = await syncTenant(knex, d, presented([['app', original]]));
    expect(kept.credentials[0]).toMatchObject({ token: original, issued: false });
    const live = await activeTokens(first.tenantId);
    expect(live).toHaveLength(1);
    expect(live[0]!.token_hash.equals(hashToken(original))).toBe(true);

    const replaced = await syncTenant(knex, d, presented([['app', 'fdt_not-the-right-token']]));
    expect(replaced.credentials[0]!.issued).toBe(true);
    expect(replaced.credentials[0]!.token).not.toBe(original);
    expect(await activeTokens(first.tenantId)).toHaveLength(1);
  });

  it('rotates on request and for tokens issued before rotate-tokens-at, but not for a future time', async () => {
    const d = desired({
      clients: new Map<string, Role>([
        ['a', 'viewer'],
        ['b', 'admin'],
      ]),
    });
    const first = await syncTenant(knex, d, none);
    const tokens = new Map(first.credentials.map((c) => [c.client, c.token]));
    const held = (): Array<[string, string]> => [...tokens];

    const r1 = await syncTenant(knex, d, { presented: new Map(held()), rotate: new Set(['a']) });
    expect(r1.credentials.find((c) => c.client === 'a')!.issued).toBe(true);
    expect(r1.credentials.find((c) => c.client === 'b')!.issued).toBe(false);
    for (const c of r1.credentials) tokens.set(c.client, c.token);

    const future = await syncTenant(knex, d, {
      presented: new Map(held()),
      rotate: new Set(),
      rotateIssuedBefore: new Date(Date.now() + 60_000),
    });
    expect(future.wrote).toBe(false);

    const cutoff = new Date();
    const r2 = await syncTenant(knex, d, {
      presented: new Map(held()),
      rotate: new Set(),
      rotateIssuedBefore: cutoff,
    });
    expect(r2.credentials.every((c) => c.issued)).toBe(true);
    for (const c of r2.credentials) tokens.set(c.client, c.token);
    const again = await syncTenant(knex, d, {
      presented: new Map(held()),
      rotate: new Set(),
      rotateIssuedBefore: cutoff,
    });
    expect(again.wrote).toBe(false);
  });

  it('follows changes: fields, suspension, bindings, client roles, removed clients', async () => {
    const d = desired({
      clients: new Map<string, Role>([
        ['keep', 'viewer'],
        ['drop', 'viewer'],
      ]),
    });
    const first = await syncTenant(knex, d, none);
    const held = new Map(first.credentials.map((c) => [c.client, c.token]));
    const next = await syncTenant(
      knex,
      {
        ...d,
        displayName: 'Renamed',
        timezone: 'Europe/Madrid',
        suspended: true,
        limits: { requestsPerMinute: 60 },
        bindings: new Map<string, Role>([
          [subjectKey('User', 'owner'), 'admin'],
          [subjectKey('Group', 'staff'), 'viewer'],
        ]),
        clients: new Map<string, Role>([['keep', 'admin']]),
      },
      { presented: held, rotate: new Set() },
    );
    expect([...next.tenantChanges].sort()).toEqual(['display_name', 'limits', 'status', 'timezone']);
    expect(next).toMatchObject({ bindingsAdded: 1, removedClients: ['drop'] });
    expect(next.credentials).toEqual([
      expect.objectContaining({ client: 'keep', role: 'admin', issued: false }),
    ]);
    const row = await platform((trx) => trx('tenants').where({ id: first.tenantId }).first());
    expect(row).toMatchObject({
      display_name: 'Renamed',
      status: 'suspended',
      timezone: 'Europe/Madrid',
      limits: { requestsPerMinute: 60 },
    });
    expect((await activeTokens(first.tenantId)).map((t) => [t.name, t.role])).toEqual([['keep', 'admin']]);
    const audit = await platform((trx) =>
      trx('audit_events').where({ tenant_id: first.tenantId }).pluck('action'),
    );
    expect(audit).toEqual(
      expect.arrayContaining(['tenant.created', 'tenant.updated', 'api_token.issued', 'api_token.revoked']),
    );
  });

  it('refuses an invalid currency with a message naming the field', async () => {
    await expect(syncTenant(knex, desired({ baseCurrency: 'XYZ' }), none)).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/base_currency.*XYZ.*ISO 4217/),
    });
  });

  it('Retain keeps a deleted tenant, and re-creating the Tenant re-attaches its data', async () => {
    const d = desired();
    const first = await syncTenant(knex, d, none);
    expect(await retireTenant(knex, d.k8sUid, 'Retain')).toBe('retained');
    expect(await retireTenant(knex, d.k8sUid, 'Retain')).toBe('retained'); // idempotent
    const row = await platform((trx) => trx('tenants').where({ id: first.tenantId }).first('status'));
    expect(row.status).toBe('deleted');
    expect(await activeTokens(first.tenantId)).toHaveLength(0);

    const again = await syncTenant(knex, { ...d, k8sUid: randomUUID() }, none);
    expect(again.tenantId).toBe(first.tenantId);
    expect(again.tenantChanges).toEqual(expect.arrayContaining(['status', 'k8s_uid']));
  });

  it('Delete removes the tenant and everything it owns', async () => {
    const d = desired();
    const first = await syncTenant(knex, d, none);
    expect(await retireTenant(knex, d.k8sUid, 'Delete')).toBe('deleted');
    expect(await retireTenant(knex, d.k8sUid, 'Delete')).toBe('absent');
    expect(await platform((trx) => trx('api_tokens').where({ tenant_id: first.tenantId }))).toHaveLength(0);
    expect(await platform((trx) => trx('rbac_bindings').where({ tenant_id: first.tenantId }))).toHaveLength(
      0,
    );
  });

  it('will not take over a live tenant row owned by another Tenant object', async () => {
    const d = desired();
    await syncTenant(knex, d, none);
    await expect(syncTenant(knex, { ...d, k8sUid: randomUUID() }, none)).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringMatching(/owned by another Tenant object/),
    });
  });
});
