import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import memjs from 'memjs';

import { startMemcached, type MemcachedServer } from '../harness/memcached.js';
import { startTestApp, type TestApp, type TestTenant } from '../harness/app.js';
import {
  addIncome,
  queryCounts,
  createAccount,
  get,
  pool,
  sample,
  scrape,
  startReplica,
  waitFor,
} from '../helpers/instances.js';

interface Dashboard {
  financial_summary: { total_balance: Array<{ currency: string; amount: string }>; total_accounts: number };
}

function usdBalance(body: Dashboard): string {
  return body.financial_summary.total_balance.find((x) => x.currency === 'USD')?.amount ?? '0.00';
}

/**
 * The dashboard cache on a real memcached, shared by two API instances on one database: what
 * a client sees after its own write, stampede protection, and memcached failing under load.
 */
describe('dashboard cache in memcached', () => {
  let memcached: MemcachedServer;
  let t: TestApp;
  let a: FastifyInstance;
  let b: FastifyInstance;
  let tenant: TestTenant;

  beforeAll(async () => {
    memcached = await startMemcached();
    const env = {
      MEMCACHED_SERVERS: memcached.servers,
      MEMCACHED_BREAKER_COOLDOWN_MS: '1000',
      DASHBOARD_CACHE_TTL: '600',
      RATE_LIMIT_DEFAULT_RPM: '0',
      // Views are audited in the background; keep those writes out of the query counts below.
      AUDIT_VIEW_FLUSH_MS: '600000',
      AUDIT_VIEW_BATCH_SIZE: '100000',
    };
    t = await startTestApp(env);
    a = t.app;
    b = await startReplica(t, env);
    tenant = await t.createTenant();
  });

  afterAll(async () => {
    await b.close();
    await t.close();
    await memcached.stop();
  });

  it('serves a client its own write at once, from either instance, with both caching', async () => {
    const token = tenant.tokens.admin;
    const account = await createAccount(a, token, 'Main');
    expect(usdBalance((await get(b, '/financial/dashboard', token)).json())).toBe('0.00');
    expect(usdBalance((await get(a, '/financial/dashboard', token)).json())).toBe('0.00');

    let expected = 0;
    for (let i = 1; i <= 6; i += 1) {
      const writer = i % 2 === 0 ? a : b;
      const reader = i % 2 === 0 ? b : a;
      expect((await addIncome(writer, token, account, '10.00')).statusCode).toBe(201);
      expected += 10;
      // Both instances had this dashboard cached; neither may serve the pre-write one now.
      for (const instance of [reader, writer]) {
        const res = await get(instance, '/financial/dashboard', token);
        expect(res.statusCode).toBe(200);
        expect(usdBalance(res.json())).toBe(`${expected}.00`);
      }
    }
    const metricsA = await scrape(a);
    const metricsB = await scrape(b);
    const hits =
      sample(metricsA, 'findash_cache_hits_total', { cache: 'dashboard' }) +
      sample(metricsB, 'findash_cache_hits_total', { cache: 'dashboard' });
    expect(hits).toBeGreaterThan(0);
  });

  it('keeps entries in memcached (a third client sees the other instance’s cached answer)', async () => {
    const other = await t.createTenant();
    await createAccount(a, other.tokens.admin, 'Cash');
    const before = sample(await scrape(b), 'findash_cache_hits_total', { cache: 'dashboard' });
    expect((await get(a, '/financial/dashboard/accounts', other.tokens.viewer)).statusCode).toBe(200);
    expect((await get(b, '/financial/dashboard/accounts', other.tokens.viewer)).statusCode).toBe(200);
    expect(sample(await scrape(b), 'findash_cache_hits_total', { cache: 'dashboard' })).toBe(before + 1);
  });

  it("keeps a cached dashboard no later than the tenant's midnight, on every instance", async () => {
    // A day-long TTL, so the tenant's calendar is what cuts it short ("this month" and the
    // budgets in effect today change at its midnight, not the server's).
    const env = { MEMCACHED_SERVERS: memcached.servers, DASHBOARD_CACHE_TTL: '86400' };
    const c = await startReplica(t, env);
    const client = memjs.Client.create(memcached.servers, { logger: { log: () => undefined } });
    try {
      const nepal = await t.createTenant({ timezone: 'Asia/Kathmandu' }); // UTC+05:45, no DST
      const requested = Date.now();
      expect((await get(c, '/financial/dashboard', nepal.tokens.viewer)).statusCode).toBe(200);

      const tenantKey = `dashboard:organization:${nepal.id}`;
      const generation = (await client.get(`${tenantKey}:gen`)).value?.toString();
      const stored = (await client.get(`${tenantKey}:${generation}:dashboard:::redacted`)).value?.toString();
      const expiresAt = Number(stored?.slice(0, stored.indexOf('\n')));
      // Kathmandu's next midnight, worked out here independently of PostgreSQL.
      const clock = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Kathmandu',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      }).format(requested);
      const [h, m, sec] = clock.split(':').map(Number) as [number, number, number];
      const midnight = requested + (86_400 - (h * 3600 + m * 60 + sec)) * 1000;
      expect(Math.abs(expiresAt - midnight)).toBeLessThan(3000);

      // Another instance serves that entry (a cache hit, with the expiry it carries).
      const d = await startReplica(t, env);
      try {
        const answer = await get(d, '/financial/dashboard', nepal.tokens.viewer);
        expect(answer.body).toBe((await get(c, '/financial/dashboard', nepal.tokens.viewer)).body);
        expect(sample(await scrape(d), 'findash_cache_hits_total', { cache: 'dashboard' })).toBe(1);
      } finally {
        await d.close();
      }
    } finally {
      client.close();
      await c.close();
    }
  });

  it('computes concurrent misses for one key once per instance', async () => {
    // Queries other than token lookups, between two scrapes (each scrape runs the same queries).
    const computeQueries = async (tokens: string[]): Promise<number> => {
      const before = queryCounts(await scrape(a));
      const responses = await Promise.all(tokens.map((token) => get(a, '/financial/dashboard', token)));
      expect(responses.map((r) => r.statusCode)).toEqual(tokens.map(() => 200));
      expect(new Set(responses.map((r) => r.body)).size).toBe(1);
      const after = queryCounts(await scrape(a));
      return Object.entries(after)
        .filter(([op]) => op !== 'select:findash_resolve_token')
        .reduce((sum, [op, n]) => sum + n - (before[op] ?? 0), 0);
    };
    const coldTenant = async (): Promise<TestTenant> => {
      const cold = await t.createTenant();
      const account = await createAccount(a, cold.tokens.admin, 'Cold');
      await addIncome(a, cold.tokens.admin, account, '5.00');
      return cold;
    };
    const one = await computeQueries([(await coldTenant()).tokens.viewer]);
    const burst = await computeQueries(Array(25).fill((await coldTenant()).tokens.viewer) as string[]);
    expect(one).toBeGreaterThan(0);
    // 25 concurrent misses ran the queries of exactly one computation.
    expect(burst).toBe(one);
  });

  it('never serves a dashboard from before a write that happened while memcached was unreachable', async () => {
    const token = tenant.tokens.admin;
    const account = await createAccount(a, token, 'Outage');
    const first = usdBalance((await get(a, '/financial/dashboard', token)).json());
    await get(a, '/financial/dashboard', token); // cached now
    // memcached hangs (entries survive); reads time out until the circuit opens, so the write's
    // invalidation is never even sent.
    memcached.pause();
    try {
      await waitFor('the circuit to open', async () => {
        await get(a, '/financial/dashboard', token);
        return sample(await scrape(a), 'findash_circuit_breaker_state', { dependency: 'memcached' }) === 1;
      });
      const write = await addIncome(a, token, account, '1.00');
      expect(write.statusCode).toBe(201);
      const during = await get(a, '/financial/dashboard', token);
      expect(during.statusCode).toBe(200);
      expect(usdBalance(during.json())).toBe(`${Number(first) + 1}.00`);
    } finally {
      memcached.resume();
    }
    await new Promise((r) => setTimeout(r, 1100)); // breaker cooldown: memcached is used again
    const after = await waitFor('a cache answer after memcached resumed', async () => {
      const res = await get(a, '/financial/dashboard', token);
      return res.statusCode === 200 ? res : null;
    });
    expect(usdBalance(after.json())).toBe(`${Number(first) + 1}.00`);
  });

  it('fails no request when memcached stops under load, reports it, and recovers', async () => {
    const load = await t.createTenant();
    const account = await createAccount(a, load.tokens.admin, 'Load');
    await addIncome(a, load.tokens.admin, account, '7.00');
    const statuses: number[] = [];
    const latencies: number[] = [];
    let stopped = false;
    const results = pool(600, 8, async (i) => {
      if (i === 200) {
        await memcached.kill();
        stopped = true;
      }
      const started = performance.now();
      const res = await get(
        i % 2 ? a : b,
        i % 3 ? '/financial/dashboard' : '/financial/dashboard/summary',
        load.tokens.viewer,
      );
      latencies.push(performance.now() - started);
      statuses.push(res.statusCode);
      return res.statusCode;
    });
    await results;
    expect(stopped).toBe(true);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(Math.max(...latencies)).toBeLessThan(2000);

    const health = await a.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'degraded',
      checks: { cache: { status: 'degraded' }, database: { status: 'up' } },
    });
    const text = await scrape(a);
    expect(sample(text, 'findash_cache_errors_total', { operation: 'get' })).toBeGreaterThan(0);
    expect(sample(text, 'findash_circuit_breaker_state', { dependency: 'memcached' })).toBe(1);

    await memcached.restart();
    await waitFor(
      'the cache to be healthy again',
      async () => {
        await get(a, '/financial/dashboard', load.tokens.viewer);
        const res = await a.inject({ url: '/health' });
        return res.json<{ status: string }>().status === 'healthy';
      },
      15_000,
      200,
    );
    expect(sample(await scrape(a), 'findash_circuit_breaker_state', { dependency: 'memcached' })).toBe(0);
    const hitsBefore = sample(await scrape(a), 'findash_cache_hits_total', { cache: 'dashboard' });
    await get(a, '/financial/dashboard', load.tokens.viewer);
    await get(a, '/financial/dashboard', load.tokens.viewer);
    expect(sample(await scrape(a), 'findash_cache_hits_total', { cache: 'dashboard' })).toBeGreaterThan(
      hitsBefore,
    );
  });

  it('answers quickly while memcached hangs (timeouts, then the open circuit)', async () => {
    const slow = await t.createTenant();
    await createAccount(a, slow.tokens.admin, 'Slow');
    memcached.pause();
    try {
      const latencies = await pool(100, 4, async () => {
        const started = performance.now();
        const res = await get(a, '/financial/dashboard', slow.tokens.viewer);
        expect(res.statusCode).toBe(200);
        return performance.now() - started;
      });
      latencies.sort((x, y) => x - y);
      // Concurrent requests share one lookup; the first five rounds each wait for one timeout
      // (150 ms), then the circuit opens and only its periodic probe waits.
      expect(latencies[Math.floor(latencies.length * 0.75)]).toBeLessThan(100);
      expect(latencies[latencies.length - 1]).toBeLessThan(1500);
    } finally {
      memcached.resume();
    }
  });
});
