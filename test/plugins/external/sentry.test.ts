import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { bearer, startTestApp, type TestApp, type TestTenant } from '../../harness/app.js';
import { startSentrySink, type SentrySink } from '../../harness/sentry-sink.js';
import { createAccount } from '../../helpers/instances.js';

const MARKER = 'private-note-7f3c9';

/**
 * Errors reach Sentry (a local ingest stand-in) with what an on-call engineer needs — request
 * id, route, tenant — and without tokens, headers or request bodies.
 */
describe('Sentry error reporting', () => {
  let sink: SentrySink;
  let t: TestApp;
  let tenant: TestTenant;
  let accountId: string;

  beforeAll(async () => {
    sink = await startSentrySink();
    t = await startTestApp({
      SENTRY_DSN: sink.dsn,
      DATABASE_STATEMENT_TIMEOUT_MS: '300',
      RATE_LIMIT_DEFAULT_RPM: '0',
    });
    tenant = await t.createTenant();
    accountId = await createAccount(t.app, tenant.tokens.admin, 'Reported');
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('reports a failed write with request id, route and tenant, and nothing secret', async () => {
    // The ledger is locked by another session: the write times out in PostgreSQL (a 503).
    const blocker = await t.owner.transaction();
    let res;
    try {
      await blocker.raw('lock table accounts in access exclusive mode');
      res = await t.app.inject({
        method: 'POST',
        url: `/financial/transactions?note=${MARKER}`,
        headers: { ...bearer(tenant.tokens.admin), cookie: `session=${MARKER}` },
        payload: {
          account_id: accountId,
          amount: '10.00',
          currency: 'USD',
          transaction_type: 'expense',
          description: MARKER,
          occurred_at: new Date().toISOString(),
        },
      });
    } finally {
      await blocker.rollback();
    }
    expect(res.statusCode).toBe(503);
    const [event] = await sink.waitForEvents(1);
    expect(event?.tags).toMatchObject({
      request_id: res.headers['x-request-id'],
      route: '/financial/transactions',
      method: 'POST',
      status_code: '503',
      tenant_id: tenant.id,
      tenant_type: 'organization',
    });
    const exception = (event?.exception as { values: Array<{ value: string; stacktrace?: unknown }> })
      .values[0];
    expect(exception?.value).toMatch(/^PostgreSQL 57014: canceling statement due to statement timeout/);
    expect(exception?.stacktrace).toBeDefined();
    const raw = sink.envelopes.map((e) => e.raw).join('\n');
    expect(raw).not.toContain(tenant.tokens.admin);
    expect(raw).not.toContain(MARKER);
    expect(raw.toLowerCase()).not.toContain('authorization');
  });

  it('does not report client errors (4xx)', async () => {
    const before = sink.events().length;
    await t.app.inject({ url: '/financial/dashboard' });
    await t.app.inject({ url: '/no/such/route', headers: bearer(tenant.tokens.admin) });
    await t.app.inject({
      method: 'POST',
      url: '/financial/accounts',
      headers: bearer(tenant.tokens.admin),
      payload: { name: MARKER, account_type: 'nonsense', currency: 'USD' },
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.events().length).toBe(before);
  });
});
