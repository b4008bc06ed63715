import { setTimeout as sleep } from 'node:timers/promises';

import { eventually } from './http-client.js';
import type { Report } from './report.js';
import type { StackHandle } from './stack-handle.js';

/**
 * The end of a Tenant's life: suspended with kubectl patch, its token gets 403 through nginx and from
 * every instance; deleted, the token gets 401 everywhere and its namespace goes.
 */
export async function suspendAndDelete(
  report: Report,
  stack: StackHandle,
  tenant: string,
  token: string,
): Promise<void> {
  report.step(`suspend Tenant ${tenant} -> 403, delete it -> its token stops working`);
  await report.run('suspended Tenant: 403 through nginx and on every instance', async () => {
    const started = Date.now();
    await stack.kubectl(['patch', 'tenant', tenant, '--type=merge', '-p', '{"spec":{"suspended":true}}']);
    await stack.kubectl([
      'wait',
      '--for=jsonpath={.status.phase}=Suspended',
      '--timeout=30s',
      `tenant/${tenant}`,
    ]);
    const { ms } = await eventually(
      '403 through the load balancer',
      async () => ((await stack.lb.get('/financial/dashboard', token)).status === 403 ? true : undefined),
      15_000,
    );
    // Each instance trusts a resolved token for up to 2 s; all must refuse within that.
    const statuses = await everyInstance(stack, token, (s) => s === 403, 5_000);
    const lbStatuses = await Promise.all(
      [1, 2, 3].map(async () => (await stack.lb.get('/financial/dashboard', token)).status),
    );
    const ok = statuses.every((s) => s.status === 403) && lbStatuses.every((s) => s === 403);
    return [
      ok,
      `403 through nginx ${ms} ms after the phase turned Suspended (${Date.now() - started} ms after kubectl patch); ${statuses.map((s) => `${s.name} ${s.status}`).join(', ')}; nginx ×3: ${lbStatuses.join(' ')}`,
    ];
  });

  await report.run('deleted Tenant: its token is refused (401) everywhere', async () => {
    const started = Date.now();
    await stack.kubectl(['delete', 'tenant', tenant, '--wait=true', '--timeout=60s']);
    const deletedMs = Date.now() - started;
    const statuses = await everyInstance(stack, token, (s) => s === 401, 10_000);
    const lbStatus = (await stack.lb.get('/financial/dashboard', token)).status;
    const ns = await stack.kubectl([
      'get',
      'namespace',
      `tenant-${tenant}`,
      '--ignore-not-found',
      '-o',
      'jsonpath={.status.phase}',
    ]);
    const ok = statuses.every((s) => s.status === 401) && lbStatus === 401;
    return [
      ok,
      `kubectl delete finished in ${deletedMs} ms; then ${statuses.map((s) => `${s.name} ${s.status}`).join(', ')}, nginx ${lbStatus}; namespace tenant-${tenant}: ${ns || 'gone'}`,
    ];
  });
}

/** Polls every instance directly until `accept(status)` holds on all of them (or time is up). */
async function everyInstance(
  stack: StackHandle,
  token: string,
  accept: (status: number) => boolean,
  timeoutMs: number,
): Promise<Array<{ name: string; status: number }>> {
  const deadline = Date.now() + timeoutMs;
  const clients = stack.instanceClients();
  try {
    for (;;) {
      const statuses = await Promise.all(
        clients.map(async ({ name, client }) => ({
          name,
          status: (await client.get('/financial/dashboard', token)).status,
        })),
      );
      if (statuses.every((s) => accept(s.status)) || Date.now() > deadline) return statuses;
      await sleep(200);
    }
  } finally {
    for (const c of clients) c.client.close();
  }
}
