import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { createKnex } from '../../app/db/knex.js';
import { asPlatform } from '../../app/db/tenant-scope.js';
import type { StackState } from '../../tools/stack/state.js';
import { applyTenants, readToken } from '../../tools/stack/tenants.js';
import { AuditTap } from './audit-tap.js';
import { eventually } from './http-client.js';
import { describeLoad, startLoad } from './load.js';
import type { Report } from './report.js';
import type { StackHandle } from './stack-handle.js';

/**
 * Faults injected through the supervisor while clients use the system through the load
 * balancer, each with the figure that shows what a client noticed.
 */
const CONNECTIONS = 8;

export async function killInstanceUnderLoad(report: Report, stack: StackHandle): Promise<void> {
  report.step('fault: one API instance killed (SIGKILL) under load');
  const token = stack.state.demo.token;
  const victim = stack.state.api[1]?.name ?? 'api-2';
  await report.run(
    `${victim} killed under load: no failed request beyond those in flight on it`,
    async () => {
      const load = startLoad({
        client: stack.lb,
        path: '/financial/dashboard',
        token,
        connections: CONNECTIONS,
      });
      await sleep(1500);
      const before = load.count();
      const errorLogStart = nginxErrorLog(stack).length;
      const killed = await stack.control<{ how: string }>('api-kill', { instance: victim });
      await sleep(3000);
      const result = await load.stop();
      // What nginx saw fail on the victim (cut mid-request, or refused afterwards); it retried those
      // idempotent requests on the other instances (proxy_next_upstream).
      const port = stack.state.api.find((a) => a.name === victim)?.port;
      const upstreamErrors = nginxErrorLog(stack)
        .slice(errorLogStart)
        .split('\n')
        .filter((line) => port !== undefined && line.includes(`127.0.0.1:${port}`));
      const cut = upstreamErrors.filter((line) => /prematurely closed|reset by peer/.test(line)).length;
      // At most one request per client connection can have been in flight on the killed instance.
      const ok = result.total > 100 && result.failed <= CONNECTIONS;
      return [
        ok,
        `${victim} ${killed.how} after ${before} requests; ${describeLoad(result)}; ` +
          `nginx logged ${cut} requests cut on ${victim} and ${upstreamErrors.length - cut} other upstream errors, retried on the other instances; ` +
          `allowed at most ${CONNECTIONS} failures (one in flight per connection)`,
      ];
    },
  );
  await report.run(`${victim} restarted and back behind nginx`, async () => {
    const started = Date.now();
    await stack.control('api-start', { instance: victim });
    const served = await servedByAll(stack, token);
    return [served.ok, `ready in ${Date.now() - started} ms; ${served.figure}`];
  });
}

function nginxErrorLog(stack: StackHandle): string {
  try {
    return readFileSync(path.join(stack.paths.data, 'nginx', 'error.log'), 'utf8');
  } catch {
    return '';
  }
}

/** Sends reads through nginx until every instance has answered one (after fail_timeout). */
async function servedByAll(stack: StackHandle, token: string): Promise<{ ok: boolean; figure: string }> {
  const names = stack.state.api.map((a) => a.name);
  const ids: string[] = [];
  try {
    const { ms } = await eventually(
      'every instance serving through nginx',
      async () => {
        for (let i = 0; i < names.length; i += 1) {
          const r = await stack.lb.get('/financial/dashboard/summary', token);
          if (r.status === 200) ids.push(r.requestId);
        }
        const served = new Set(stack.servedBy(ids).values());
        return names.every((n) => served.has(n)) ? true : undefined;
      },
      15_000,
      300,
    );
    return { ok: true, figure: `all of ${names.join(', ')} answered through nginx within ${ms} ms` };
  } catch (error) {
    return { ok: false, figure: error instanceof Error ? error.message : String(error) };
  }
}

export async function memcachedOutage(report: Report, stack: StackHandle): Promise<void> {
  report.step('fault: Memcached stopped');
  const token = stack.state.demo.token;
  try {
    await report.run('Memcached stopped: requests still succeed', async () => {
      await stack.control('memcached-stop');
      const load = startLoad({ client: stack.lb, path: '/financial/dashboard', token, connections: 4 });
      await sleep(1500);
      // A write during the outage must still show on the next read (no stale cache later).
      const account = await stack.lb.post('/financial/accounts', token, {
        name: `outage-${Date.now()}`,
        account_type: 'cash',
        currency: 'EUR',
      });
      const read = await stack.lb.get('/financial/dashboard/accounts', token);
      const visible =
        read.status === 200 &&
        read.text.includes(account.status === 201 ? account.json<{ id: string }>().id : '-');
      await sleep(1000);
      const result = await load.stop();
      const health = await stack.lb.get('/health');
      const status =
        health.status === 200 || health.status === 503
          ? health.json<{ status: string }>().status
          : String(health.status);
      const ok =
        result.failed === 0 &&
        result.total > 20 &&
        account.status === 201 &&
        visible &&
        health.status === 200;
      return [
        ok,
        `${describeLoad(result)}; write during the outage ${account.status}, visible on the next read: ${visible}; /health ${health.status} "${status}"`,
      ];
    });
  } finally {
    await report.run('Memcached started again: /health back to healthy', async () => {
      await stack.control('memcached-start');
      const { ms, value } = await eventually(
        '/health healthy',
        async () => {
          const r = await stack.lb.get('/health');
          return r.status === 200 && r.json<{ status: string }>().status === 'healthy' ? r.text : undefined;
        },
        30_000,
        500,
      ).catch((error: unknown) => ({
        ms: -1,
        value: error instanceof Error ? error.message : String(error),
      }));
      return [ms >= 0, ms >= 0 ? `healthy ${ms} ms after Memcached came back` : value];
    });
  }
}

export async function rabbitRestart(report: Report, stack: StackHandle): Promise<void> {
  report.step('fault: RabbitMQ restarted while clients write');
  const token = stack.state.demo.token;
  const tap = new AuditTap(stack.state.rabbitmq.amqpUrl);
  try {
    await report.run('RabbitMQ restarted: no audit message lost', async () => {
      await tap.start(20_000);
      const since = new Date();
      const account = await stack.lb.post('/financial/accounts', token, {
        name: `rabbit-${Date.now()}`,
        account_type: 'checking',
        currency: 'USD',
      });
      if (account.status !== 201) throw new Error(`account: ${account.status} ${account.text.slice(0, 200)}`);
      const accountId = account.json<{ id: string }>().id;
      let writes = 0;
      let failedWrites = 0;
      const writer = { running: true };
      const writing = (async () => {
        while (writer.running) {
          const r = await stack.lb
            .post(
              '/financial/transactions',
              token,
              {
                account_id: accountId,
                amount: '1.00',
                currency: 'USD',
                transaction_type: 'income',
                category: 'e2e',
                occurred_at: new Date().toISOString(),
              },
              { 'idempotency-key': randomUUID() },
            )
            .catch(() => undefined);
          writes += 1;
          if (r?.status !== 201) failedWrites += 1;
          await sleep(50);
        }
      })();
      await sleep(500);
      const restarted = await stack.control<{ ms: number }>('rabbitmq-restart');
      await sleep(1000);
      writer.running = false;
      await writing;
      const sql = createKnex({ url: stack.state.postgres.ownerUrl, poolMax: 1 });
      let ids: string[];
      try {
        ids = await asPlatform(sql, async (trx) =>
          (
            await trx('audit_events')
              .where('occurred_at', '>=', since.toISOString())
              .select<Array<{ id: string }>>('id')
          ).map((r) => r.id),
        );
      } finally {
        await sql.destroy();
      }
      const { missing, ms } = await tap.waitFor(ids, 60_000);
      const ok = missing.length === 0 && failedWrites === 0 && ids.length > writes / 2;
      return [
        ok,
        `broker down and back in ${restarted.ms} ms; ${writes} writes during it (${failedWrites} failed); ` +
          `${ids.length - missing.length}/${ids.length} audit events delivered ${ms} ms after the last write` +
          `${tap.duplicates ? ` (${tap.duplicates} redelivered duplicates, deduplicated by messageId)` : ''}; consumer reconnects ${tap.reconnects}` +
          (missing.length ? `; MISSING ${missing.slice(0, 3).join(', ')}` : ''),
      ];
    });
  } finally {
    await tap.close();
  }
}

export async function operatorRestart(report: Report, stack: StackHandle): Promise<void> {
  report.step('fault: the operator killed and restarted while Tenants are being applied');
  const first = Array.from({ length: 8 }, (_, i) => `e2e-burst-${i + 1}`);
  const second = Array.from({ length: 4 }, (_, i) => `e2e-late-${i + 1}`);
  const all = [...first, ...second];
  await report.run('operator restarted mid-apply: every Tenant converges', async () => {
    const manifest = (name: string) => ({ name, clients: [{ name: 'reader', role: 'viewer' as const }] });
    await applyTenants(stack.kube, first.map(manifest));
    // Kill it while it is reconciling the burst, apply more while it is down, then restart.
    await sleep(300);
    const killed = await stack.control<{ operator: string }>('operator-stop', { signal: 'SIGKILL' });
    await applyTenants(stack.kube, second.map(manifest));
    const restartedAt = Date.now();
    await stack.control('operator-start');
    await stack.kubectl(['wait', '--for=condition=Ready', '--timeout=90s', ...all.map((n) => `tenant/${n}`)]);
    const convergedMs = Date.now() - restartedAt;
    const tokens = await Promise.all(all.map((n) => readToken(stack.kube, n, 'reader')));
    const statuses = await Promise.all(
      tokens.map(async (t) => (await stack.lb.get('/financial/dashboard/summary', t)).status),
    );
    const accepted = statuses.filter((s) => s === 200).length;
    return [
      accepted === all.length,
      `operator ${killed.operator} while reconciling ${first.length} Tenants, ${second.length} more applied while it was down; ` +
        `all ${all.length} Ready ${(convergedMs / 1000).toFixed(1)} s after the restart; ${accepted}/${all.length} tokens accepted through nginx`,
    ];
  });
  await stack.kubectl(['delete', 'tenant', ...all, '--wait=false']).catch(() => undefined);
}

export function describeTargets(state: StackState): string {
  return (state.api ?? []).map((a) => `${a.name}:${a.up ? a.build : 'DOWN'}`).join(' ');
}
