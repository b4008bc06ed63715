import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { createKnex } from '../../../app/db/knex.js';
import { createTestDatabase } from '../../harness/postgres.js';
import { repoRoot } from '../../harness/repo-root.js';
import { bearer, startTestApp, type TestApp, type TestTenant } from '../../harness/app.js';
import {
  addIncome,
  createAccount,
  get,
  sample,
  scrape,
  startReplica,
  waitFor,
} from '../../helpers/instances.js';

/** The API metric names of monitoring/METRICS.md (the table under "## API"). */
async function contractNames(): Promise<string[]> {
  const text = await readFile(path.join(repoRoot(), 'monitoring', 'METRICS.md'), 'utf8');
  const api = text.slice(text.indexOf('## API'), text.indexOf('## Operator'));
  const names = new Set<string>();
  for (const line of api.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cell = line.split('|')[1] ?? '';
    for (const match of cell.matchAll(/`([a-z_:]+)`/g)) names.add(match[1] ?? '');
  }
  return [...names];
}

/** Names exposed in a scrape (from # TYPE lines, so histograms count once). */
function exposed(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] ?? ''));
}

describe('GET /metrics', () => {
  let t: TestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_DEFAULT_RPM: '0', DB_SLOW_QUERY_MS: '0' });
    tenant = await t.createTenant({ type: 'user' });
  });
  afterAll(async () => t.close());

  it('exposes every API metric of the METRICS.md contract, in Prometheus text format', async () => {
    const res = await t.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const names = await contractNames();
    expect(names).toEqual(
      expect.arrayContaining([
        'http_request_duration_seconds',
        'findash_outbox_depth',
        'process_cpu_seconds_total',
      ]),
    );
    expect(names.length).toBeGreaterThanOrEqual(23);
    const missing = names.filter((name) => !exposed(res.body).has(name));
    expect(missing).toEqual([]);
  });

  it('labels requests by route template, and unmatched paths with one fixed label', async () => {
    const account = await createAccount(t.app, tenant.tokens.admin, 'Labelled');
    await get(t.app, `/financial/accounts/${account}`, tenant.tokens.admin);
    await get(t.app, '/financial/dashboard', tenant.tokens.viewer);
    for (let i = 0; i < 5; i += 1) await t.app.inject({ url: `/no/such/path/${i}` });
    const text = await scrape(t.app);
    const routes = new Set(
      [...text.matchAll(/^http_request_duration_seconds_count\{[^}]*route="([^"]*)"/gm)].map((m) => m[1]),
    );
    expect(routes).toEqual(
      new Set([
        '/metrics',
        '/financial/accounts',
        '/financial/accounts/:id',
        '/financial/dashboard',
        'unmatched',
      ]),
    );
    expect(
      sample(text, 'http_request_duration_seconds_count', {
        method: 'GET',
        route: '/financial/accounts/:id',
        status_code: '200',
      }),
    ).toBe(1);
    expect(
      sample(text, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/financial/accounts',
        status_code: '201',
      }),
    ).toBe(1);
    expect(
      sample(text, 'http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' }),
    ).toBe(5);
    expect(text).not.toContain(account);
    expect(text).not.toContain(tenant.id);
  });

  it('times answers refused before the handler (401 from authentication) under their route', async () => {
    const before = await scrape(t.app);
    const labels = { method: 'GET', route: '/financial/dashboard/summary', status_code: '401' };
    const refused = await t.app.inject({ url: '/financial/dashboard/summary' });
    expect(refused.statusCode).toBe(401);
    const after = await scrape(t.app);
    expect(sample(after, 'http_request_duration_seconds_count', labels)).toBe(
      sample(before, 'http_request_duration_seconds_count', labels) + 1,
    );
    expect(sample(after, 'http_request_duration_seconds_sum', labels)).toBeGreaterThan(
      sample(before, 'http_request_duration_seconds_sum', labels),
    );
  });

  it('counts what the service did: views, audit events, cache, slow queries, pool, database', async () => {
    const account = await createAccount(t.app, tenant.tokens.admin, 'Counted');
    await addIncome(t.app, tenant.tokens.admin, account, '3.00');
    // A refused write (unknown account) rolls back: its audit event never existed.
    const refused = await addIncome(
      t.app,
      tenant.tokens.admin,
      '00000000-0000-4000-8000-000000000000',
      '3.00',
    );
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    await get(t.app, '/financial/dashboard/summary', tenant.tokens.viewer);
    await get(t.app, '/financial/dashboard/summary', tenant.tokens.viewer);
    const text = await scrape(t.app);
    expect(sample(text, 'findash_dashboard_views_total', { tenant_type: 'user' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'findash_audit_events_total', { action: 'transaction.create' })).toBe(1);
    expect(sample(text, 'findash_audit_events_total', { action: 'account.create' })).toBe(2);
    expect(sample(text, 'findash_cache_hits_total', { cache: 'dashboard' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'findash_cache_misses_total', { cache: 'dashboard' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'findash_db_slow_queries_total', { operation: 'select:accounts' })).toBeGreaterThan(
      0,
    );
    expect(
      sample(text, 'findash_db_query_duration_seconds_count', { operation: 'insert:transactions' }),
    ).toBe(1);
    expect(sample(text, 'findash_db_pool_max')).toBe(t.config.DATABASE_POOL_MAX);
    expect(sample(text, 'findash_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(sample(text, 'findash_db_size_bytes')).toBeGreaterThan(1_000_000);
    expect(sample(text, 'findash_db_lock_waits')).toBe(0);
    expect(sample(text, 'findash_active_tenants')).toBe(1);
    expect(sample(text, 'findash_active_users')).toBe(2); // the admin and viewer tokens
    expect(sample(text, 'findash_outbox_depth')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \S+$/m);
  });

  it("counts lock waits in its own database only, not other databases' on the same server", async () => {
    // Another application's database on the same PostgreSQL server, with a session stuck
    // behind another's lock (what a shared database server looks like).
    const other = await createTestDatabase({ migrated: false });
    const holder = createKnex({ url: other.ownerUrl });
    const waiter = createKnex({ url: other.ownerUrl });
    const held = await holder.transaction();
    try {
      await waiter.raw('create table contended (id int)');
      await held.raw('lock table contended in access exclusive mode');
      const stuck = waiter.raw('select * from contended').catch(() => undefined);
      await waitFor('the other database to have a waiting session', async () => {
        const { rows } = await holder.raw<{ rows: Array<{ n: number }> }>(
          `select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where not l.granted and a.datname = current_database()`,
        );
        return rows[0]?.n === 1 ? true : null;
      });
      expect(sample(await scrape(t.app), 'findash_db_lock_waits')).toBe(0);
      await held.rollback();
      await stuck;
    } finally {
      if (!held.isCompleted()) await held.rollback();
      await holder.destroy();
      await waiter.destroy();
      await other.drop();
    }
  });

  it('counts PostgreSQL errors by kind', async () => {
    // A 1 ms statement timeout makes the dashboard queries fail the way an overloaded database would.
    const replica = await startReplica(t, { DATABASE_STATEMENT_TIMEOUT_MS: '1' });
    try {
      const res = await replica.inject({
        url: '/financial/dashboard',
        headers: bearer(tenant.tokens.viewer),
      });
      expect(res.statusCode).toBe(503);
      expect(sample(await scrape(replica), 'findash_db_errors_total', { kind: 'timeout' })).toBeGreaterThan(
        0,
      );
    } finally {
      await replica.close();
    }
  });

  it('keeps one registry per app instance', async () => {
    const replica = await startReplica(t);
    try {
      await get(replica, '/financial/dashboard', tenant.tokens.viewer);
      const mine = await scrape(replica);
      expect(
        sample(mine, 'http_request_duration_seconds_count', {
          route: '/financial/dashboard',
          status_code: '200',
        }),
      ).toBe(1);
      expect(sample(mine, 'http_request_duration_seconds_count', { route: 'unmatched' })).toBe(0);
    } finally {
      await replica.close();
    }
  });
});
