import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { asPlatform } from '../../../app/db/tenant-scope.js';
import { bearer, startTestApp, type TestApp, type TestTenant } from '../../harness/app.js';
import { addIncome, createAccount, get, outboxCount, waitFor } from '../../helpers/instances.js';

interface AuditPage {
  data: Array<{
    id: string;
    action: string;
    actor: string;
    resource_type: string;
    resource_id: string | null;
    occurred_at: string;
    request_id: string | null;
    details: Record<string, unknown>;
  }>;
  next_cursor: string | null;
}

/** GET /financial/audit and the audit trail without a broker (AMQP_URL unset). */
describe('audit log', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let other: TestTenant;
  let accountId: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_DEFAULT_RPM: '0', AUDIT_VIEW_FLUSH_MS: '100' });
    tenant = await t.createTenant();
    other = await t.createTenant();
    accountId = await createAccount(t.app, tenant.tokens.admin, 'Audited');
    for (let i = 0; i < 5; i += 1) {
      expect((await addIncome(t.app, tenant.tokens.admin, accountId, `${i + 1}.00`)).statusCode).toBe(201);
    }
    await createAccount(t.app, other.tokens.admin, 'Other tenant');
  });
  afterAll(async () => t.close());

  it('is for admins only (audit:read)', async () => {
    expect((await get(t.app, '/financial/audit', tenant.tokens.viewer)).statusCode).toBe(403);
    expect((await get(t.app, '/financial/audit', tenant.tokens.analyst)).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/financial/audit' })).statusCode).toBe(401);
    expect((await get(t.app, '/financial/audit', tenant.tokens.admin)).statusCode).toBe(200);
  });

  it('lists the tenant’s own events, newest first, with the write’s request id', async () => {
    const write = await addIncome(t.app, tenant.tokens.admin, accountId, '9.99');
    const page = (await get(t.app, '/financial/audit?limit=100', tenant.tokens.admin)).json<AuditPage>();
    expect(page.data[0]).toMatchObject({
      action: 'transaction.create',
      resource_type: 'transaction',
      resource_id: write.json<{ id: string }>().id,
      actor: 'token:admin-client',
      request_id: write.headers['x-request-id'],
    });
    expect(page.data.filter((e) => e.action === 'account.create')).toHaveLength(1);
    const times = page.data.map((e) => Date.parse(e.occurred_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const otherPage = (await get(t.app, '/financial/audit?limit=100', other.tokens.admin)).json<AuditPage>();
    expect(otherPage.data.map((e) => e.action)).toEqual(['account.create']);
    expect(otherPage.data.some((e) => page.data.some((mine) => mine.id === e.id))).toBe(false);
  });

  it('keeps a safe client X-Request-Id and replaces an oversized or unsafe one before it is logged or stored', async () => {
    const own = await t.createTenant();
    const write = (requestId: string) =>
      t.app.inject({
        method: 'POST',
        url: '/financial/accounts',
        headers: { ...bearer(own.tokens.admin), 'x-request-id': requestId },
        payload: { name: `Request id ${requestId.length}`, account_type: 'checking', currency: 'USD' },
      });
    const kept = await write('client-req-42');
    const huge = await write('a'.repeat(5000));
    const unsafe = await write('bad id<script>');
    expect([kept.statusCode, huge.statusCode, unsafe.statusCode]).toEqual([201, 201, 201]);
    expect(kept.headers['x-request-id']).toBe('client-req-42');
    for (const res of [huge, unsafe]) {
      const id = String(res.headers['x-request-id']);
      expect(id).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    }
    const page = (await get(t.app, '/financial/audit?limit=100', own.tokens.admin)).json<AuditPage>();
    const stored = (res: typeof kept) =>
      page.data.find((e) => e.action === 'account.create' && e.resource_id === res.json<{ id: string }>().id)
        ?.request_id;
    expect(stored(kept)).toBe('client-req-42');
    expect(stored(huge)).toBe(huge.headers['x-request-id']);
    expect(stored(unsafe)).toBe(unsafe.headers['x-request-id']);
  });

  it('pages with a keyset cursor, never repeating or skipping an event', async () => {
    const all = (
      await get(t.app, '/financial/audit?limit=500&resource_type=transaction', tenant.tokens.admin)
    ).json<AuditPage>();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/financial/audit?resource_type=transaction&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await get(t.app, url, tenant.tokens.admin);
      expect(res.statusCode).toBe(200);
      const page = res.json<AuditPage>();
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((e) => e.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.data.map((e) => e.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('filters by action, actor and time range', async () => {
    const creates = (
      await get(t.app, '/financial/audit?action=account.create', tenant.tokens.admin)
    ).json<AuditPage>();
    expect(creates.data.map((e) => e.action)).toEqual(['account.create']);
    const byActor = (
      await get(t.app, '/financial/audit?actor=token:nobody', tenant.tokens.admin)
    ).json<AuditPage>();
    expect(byActor.data).toEqual([]);
    const mine = (
      await get(t.app, '/financial/audit?actor=token:admin-client&limit=500', tenant.tokens.admin)
    ).json<AuditPage>();
    expect(mine.data.length).toBeGreaterThanOrEqual(7);
    const middle = mine.data[3]?.occurred_at ?? '';
    const before = (
      await get(t.app, `/financial/audit?to=${encodeURIComponent(middle)}&limit=500`, tenant.tokens.admin)
    ).json<AuditPage>();
    expect(before.data.every((e) => Date.parse(e.occurred_at) < Date.parse(middle))).toBe(true);
    const since = (
      await get(t.app, `/financial/audit?from=${encodeURIComponent(middle)}&limit=500`, tenant.tokens.admin)
    ).json<AuditPage>();
    expect(since.data.every((e) => Date.parse(e.occurred_at) >= Date.parse(middle))).toBe(true);
    expect(before.data.length + since.data.length).toBe(mine.data.length);
  });

  it('answers bad input with a 400 naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['/financial/audit?cursor=not-a-cursor', 'cursor'],
      ['/financial/audit?from=yesterday', 'from'],
      ['/financial/audit?from=2026-02-30', 'from'],
      ['/financial/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'to'],
      ['/financial/audit?limit=0', 'limit'],
      ['/financial/audit?tenant_id=x', 'tenant_id'],
    ];
    for (const [url, field] of cases) {
      const res = await get(t.app, url, tenant.tokens.admin);
      expect({ url, status: res.statusCode, field: res.json<{ field?: string }>().field }).toEqual({
        url,
        status: 400,
        field,
      });
    }
    // Another tenant's cursor works only as a position: it never reveals that tenant's events.
    const otherPage = (await get(t.app, '/financial/audit?limit=1', other.tokens.admin)).json<AuditPage>();
    expect(otherPage.next_cursor).toBeNull();
  });

  it('records dashboard views in the log shortly after they are served', async () => {
    const res = await t.app.inject({
      url: '/financial/dashboard/accounts',
      headers: bearer(tenant.tokens.viewer),
    });
    expect(res.statusCode).toBe(200);
    const view = await waitFor('the view event', async () => {
      const page = (
        await get(t.app, '/financial/audit?action=dashboard.view', tenant.tokens.admin)
      ).json<AuditPage>();
      return page.data[0];
    });
    expect(view).toMatchObject({
      resource_type: 'dashboard',
      resource_id: 'accounts',
      actor: 'token:viewer-client',
      request_id: res.headers['x-request-id'],
      details: {
        count: 1,
        route: '/financial/dashboard/accounts',
        request_ids: [res.headers['x-request-id']],
      },
    });
  });

  it('keeps events in the outbox while no broker is configured', async () => {
    const events = await asPlatform(t.owner, async (trx) =>
      Number((await trx('audit_events').count<{ c: string }[]>('* as c'))[0]?.c),
    );
    expect(await outboxCount(t)).toBe(events);
    const health = (await t.app.inject({ url: '/health' })).json<{ checks: Record<string, unknown> }>();
    expect(health.checks.rabbitmq).toBeUndefined();
  });
});
