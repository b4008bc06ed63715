import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { TENANTS_PATH, type Tenant } from '../../operator/crd/types.js';
import type { Lease, ObjectList, Secret } from '../../operator/kube/types.js';
import { freePort } from '../harness/ports.js';
import { operatorHarness, waitFor, type SpawnedOperator } from './harness.js';
import { applyTenant, readyStatus, tenantName, tenantObject, waitForTenant } from './tenants.js';
import { startTcpProxy } from './tcp-proxy.js';

/**
 * The operator under duress: its watches broken by the network, the process killed in the
 * middle of its work, and two replicas competing for the lease.
 */
describe('Tenant operator: resilience', () => {
  const env = operatorHarness();

  async function metric(port: number, name: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(name) && [' ', '{'].includes(l.charAt(name.length)));
    return line ? Number(line.split(' ').pop()) : NaN;
  }

  const readyNames = async (prefix: string): Promise<string[]> =>
    (await env.kube.get<ObjectList<Tenant>>(TENANTS_PATH)).items
      .filter(
        (t) =>
          t.metadata.name?.startsWith(prefix) &&
          readyStatus(t) === 'True' &&
          t.status?.observedGeneration === t.metadata.generation,
      )
      .map((t) => t.metadata.name ?? '');

  it('keeps processing events after its watch is cut, and after it silently stalls', async () => {
    const proxy = await startTcpProxy(Number(new URL(env.cp.server).port));
    const kubeconfig = path.join(env.cp.dir, 'kubeconfig-proxied');
    writeFileSync(
      kubeconfig,
      readFileSync(env.cp.kubeconfigPath, 'utf8').replace(env.cp.server, `https://127.0.0.1:${proxy.port}`),
    );
    const op = await env.startOperator({
      kubeconfig,
      watchIdleTimeoutMs: 3000,
      watchTimeoutSeconds: 60,
      kubeRequestTimeoutMs: 3000,
    });
    const restarts = async () => {
      const text = await op.metrics.registry.metrics();
      return Number(
        /findash_operator_watch_restarts_total\{resource="tenants"\} (\d+)/.exec(text)?.[1] ?? NaN,
      );
    };
    try {
      const a = tenantName('net-a');
      await applyTenant(env.kube, tenantObject(a, { apiClients: [{ name: 'app', role: 'viewer' }] }));
      await waitForTenant(env.kube, a);
      expect(await restarts()).toBe(0);

      // 1. Connections reset: the watch errors, restarts, and sees what happened after.
      proxy.cut();
      const b = tenantName('net-b');
      await applyTenant(env.kube, tenantObject(b, { apiClients: [{ name: 'app', role: 'viewer' }] }));
      await waitForTenant(env.kube, b, undefined, 20_000);
      expect(await restarts()).toBeGreaterThanOrEqual(1);

      // 2. Connections frozen (half-open): nothing errors, the watch just goes quiet; the
      //    watchdog notices the silence and reopens it on a fresh connection.
      const before = await restarts();
      proxy.freeze();
      const c = tenantName('net-c');
      await applyTenant(env.kube, tenantObject(c, { apiClients: [{ name: 'app', role: 'viewer' }] }));
      await waitForTenant(env.kube, c, undefined, 30_000);
      expect(await restarts()).toBeGreaterThan(before);
    } finally {
      await op.stop();
      await proxy.close();
    }
  }, 90_000);

  it('converges after being killed in the middle of reconciling', async () => {
    const prefix = `kill-${process.pid % 10000}-`;
    const names = Array.from({ length: 40 }, (_, i) => `${prefix}${i}`);
    await Promise.all(
      names.map((n) =>
        applyTenant(
          env.kube,
          tenantObject(n, {
            apiClients: [
              { name: 'a', role: 'viewer' },
              { name: 'b', role: 'admin' },
            ],
          }),
        ),
      ),
    );
    const port1 = await freePort();
    const first = env.spawnOperator(
      { LEADER_ELECTION: 'false', OPERATOR_PORT: String(port1), OPERATOR_CONCURRENCY: '4' },
      'kill-1',
    );
    let second: SpawnedOperator | undefined;
    try {
      await waitFor(async () => (await readyNames(prefix)).length >= 1, 30_000, 'first tenant ready');
      first.kill('SIGKILL');
      await first.exited;
      const readyAtKill = (await readyNames(prefix)).length;
      expect(readyAtKill).toBeLessThan(names.length); // the kill interrupted work in progress

      second = env.spawnOperator(
        { LEADER_ELECTION: 'false', OPERATOR_PORT: String(await freePort()) },
        'kill-2',
      );
      await waitFor(
        async () => (await readyNames(prefix)).length === names.length,
        60_000,
        'all tenants ready',
      );

      // Consistent end state: per client exactly one live token, and it is the one in the Secret.
      const rows = await env.sql.transaction(async (trx) => {
        await trx.raw(`select set_config('app.platform', 'on', true)`);
        return trx('api_tokens as k')
          .join('tenants as t', 't.id', 'k.tenant_id')
          .where('t.name', 'like', `${prefix}%`)
          .whereNull('k.revoked_at')
          .select<Array<{ tenant: string; name: string; token_hash: Buffer }>>(
            't.name as tenant',
            'k.name',
            'k.token_hash',
          );
      });
      expect(rows).toHaveLength(names.length * 2);
      for (const n of names) {
        for (const client of ['a', 'b']) {
          const secret = await env.kube.get<Secret>(`/api/v1/namespaces/tenant-${n}/secrets/${client}-token`);
          const hash = createHash('sha256')
            .update(Buffer.from(secret.data!.token!, 'base64').toString('utf8'))
            .digest();
          const live = rows.filter((r) => r.tenant === n && r.name === client);
          expect(live).toHaveLength(1);
          expect(live[0]!.token_hash.equals(hash)).toBe(true);
        }
      }
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGTERM');
      await second?.exited;
    }
  }, 300_000);

  it('runs two replicas safely: one leader acts, and the standby takes over within the lease', async () => {
    const leaseName = 'findash-operator-ha';
    const leaseSeconds = 3;
    const ports = { a: await freePort(), b: await freePort() };
    const common = {
      LEADER_ELECTION: 'true',
      LEASE_NAME: leaseName,
      LEASE_DURATION_SECONDS: String(leaseSeconds),
      LEADER_ELECTION_NAMESPACE: 'findash-system',
    };
    const procs: Record<'a' | 'b', SpawnedOperator> = {
      a: env.spawnOperator({ ...common, OPERATOR_PORT: String(ports.a) }, 'ha-a'),
      b: env.spawnOperator({ ...common, OPERATOR_PORT: String(ports.b) }, 'ha-b'),
    };
    const holder = async () =>
      (
        await env.kube.getOrNull<Lease>(
          `/apis/coordination.k8s.io/v1/namespaces/findash-system/leases/${leaseName}`,
        )
      )?.spec?.holderIdentity ?? '';
    try {
      const leader =
        (await waitFor(
          async () => {
            const h = await holder();
            return h === 'ha-a' || h === 'ha-b' ? h : null;
          },
          30_000,
          'a leader',
        )) === 'ha-a'
          ? 'a'
          : 'b';
      const standby = leader === 'a' ? 'b' : 'a';
      await waitFor(
        async () => {
          try {
            return (await fetch(`http://127.0.0.1:${ports[standby]}/healthz`)).ok;
          } catch {
            return false;
          }
        },
        30_000,
        'standby up',
      );
      expect(await metric(ports[leader], 'leader_election_master_status')).toBe(1);
      expect(await metric(ports[standby], 'leader_election_master_status')).toBe(0);

      const t1 = tenantName('ha');
      await applyTenant(env.kube, tenantObject(t1));
      await waitForTenant(env.kube, t1);
      expect(
        await metric(
          ports[leader],
          'controller_runtime_reconcile_total{controller="tenant",result="success"}',
        ),
      ).toBeGreaterThan(0);
      expect(
        await metric(
          ports[standby],
          'controller_runtime_reconcile_total{controller="tenant",result="success"}',
        ),
      ).toBe(0);
      const readyz = (await (await fetch(`http://127.0.0.1:${ports[standby]}/readyz`)).json()) as {
        checks: { leader: { detail: string } };
      };
      expect(readyz.checks.leader.detail).toBe('standby');

      // Kill the leader without a goodbye: the standby waits out the lease, then takes over.
      const killedAt = Date.now();
      procs[leader].kill('SIGKILL');
      await waitFor(async () => (await holder()) === `ha-${standby}`, 15_000, 'takeover');
      const takeoverMs = Date.now() - killedAt;
      expect(takeoverMs).toBeLessThan(leaseSeconds * 1000 + 3000);

      const t2 = tenantName('ha');
      await applyTenant(env.kube, tenantObject(t2));
      await waitForTenant(env.kube, t2);
      expect(await metric(ports[standby], 'leader_election_master_status')).toBe(1);

      // A graceful stop hands the lease back at once.
      procs[standby].kill('SIGTERM');
      expect(await procs[standby].exited).toBe(0);
      expect(await holder()).toBe('');
    } finally {
      procs.a.kill('SIGKILL');
      procs.b.kill('SIGKILL');
    }
  }, 300_000);
});
