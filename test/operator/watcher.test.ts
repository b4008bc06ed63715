import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';

import { Watcher, type EventType } from '../../operator/controller/watcher.js';
import type { KubeObject, Namespace } from '../../operator/kube/types.js';
import { silentLogger } from '../../operator/log.js';
import { createMetrics } from '../../operator/metrics.js';
import { operatorHarness, waitFor, type OperatorTestEnv } from './harness.js';

// The list+watch loop against a real API server: it reports every change, survives a watch the
// server ends, and lists again when the server says its resourceVersion is gone (410).

/** Compacts etcd up to its current revision, through its HTTP gateway, as the API server does every 5 minutes. */
async function compactEtcd(env: Pick<OperatorTestEnv, 'cp'>): Promise<void> {
  const etcd = env.cp.processes.find((p) => p.name === 'etcd');
  const args = readFileSync(`/proc/${etcd?.pid ?? 0}/cmdline`, 'utf8').split('\0');
  const url = args.find((a) => a.startsWith('--listen-client-urls='))?.split('=')[1] ?? '';
  const post = async (p: string, body: unknown) =>
    (await (await fetch(`${url}${p}`, { method: 'POST', body: JSON.stringify(body) })).json()) as {
      header: { revision: string };
    };
  const { header } = await post('/v3/kv/range', { key: Buffer.from('/').toString('base64'), limit: 1 });
  await post('/v3/kv/compaction', { revision: header.revision, physical: true });
}

describe('Watcher (list + watch with restarts)', () => {
  const env = operatorHarness();

  const label = 'findash.io/watcher-test';
  const ns = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { [label]: 'yes' } },
  });

  function start(timeoutSeconds = 300) {
    const events: Array<[EventType, string]> = [];
    let syncs = 0;
    const metrics = createMetrics({ defaultMetrics: false });
    const watcher = new Watcher<Namespace>({
      client: env.kube,
      path: '/api/v1/namespaces',
      resource: 'namespaces',
      labelSelector: `${label}=yes`,
      timeoutSeconds,
      idleTimeoutMs: 60_000,
      logger: silentLogger,
      metrics,
      backoffBaseMs: 50,
      onEvent: (type, obj) => events.push([type, obj.metadata.name ?? '']),
      onSynced: () => (syncs += 1),
    });
    watcher.start();
    env.onStop(() => watcher.stop());
    const restarts = async () =>
      Number(
        /findash_operator_watch_restarts_total\{resource="namespaces"\} (\d+)/.exec(
          await metrics.registry.metrics(),
        )?.[1],
      );
    return { watcher, events, syncs: () => syncs, restarts };
  }

  it('lists, then reports additions, changes and deletions as they happen', async () => {
    await env.kube.apply('/api/v1/namespaces/w-pre', ns('w-pre'), 'test');
    const w = start();
    await waitFor(async () => w.watcher.synced);
    expect(w.events).toContainEqual(['ADDED', 'w-pre']);
    await env.kube.apply('/api/v1/namespaces/w-new', ns('w-new'), 'test');
    await env.kube.mergePatch('/api/v1/namespaces/w-new', { metadata: { annotations: { touched: 'yes' } } });
    await waitFor(async () => w.events.some(([t, n]) => t === 'MODIFIED' && n === 'w-new'));
    expect(w.events).toContainEqual(['ADDED', 'w-new']);
    expect(w.watcher.store.get('w-new')?.metadata.annotations?.touched).toBe('yes');
  });

  it('reopens a watch the server closed (timeoutSeconds) without relisting or counting a failure', async () => {
    const w = start(1);
    await waitFor(async () => w.watcher.synced);
    await new Promise((r) => setTimeout(r, 2500)); // at least two server-side watch timeouts
    await env.kube.apply('/api/v1/namespaces/w-after-timeout', ns('w-after-timeout'), 'test');
    await waitFor(async () => w.events.some(([t, n]) => t === 'ADDED' && n === 'w-after-timeout'));
    expect(w.syncs()).toBe(1);
    expect(await w.restarts()).toBe(0);
  });

  it('lists again after 410 Gone, and reports what changed while it was not watching', async () => {
    // Events have no watch cache in the API server, so a watch from a resourceVersion etcd has
    // compacted away gets a genuine 410 Expired.
    const path = '/apis/events.k8s.io/v1/namespaces/default/events';
    const event = (name: string) => ({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace: 'default' },
      eventTime: new Date().toISOString().replace('Z', '000Z'),
      reportingController: 'findash.io/test',
      reportingInstance: 'test',
      action: 'Test',
      reason: 'Test',
      type: 'Normal',
      note: name,
      regarding: { apiVersion: 'v1', kind: 'Namespace', name: 'default' },
    });
    const events: Array<[EventType, string]> = [];
    let syncs = 0;
    const metrics = createMetrics({ defaultMetrics: false });
    const watcher = new Watcher<KubeObject>({
      client: env.kube,
      path,
      resource: 'events',
      timeoutSeconds: 300,
      idleTimeoutMs: 60_000,
      logger: silentLogger,
      metrics,
      backoffBaseMs: 50,
      onEvent: (type, obj) => events.push([type, obj.metadata.name ?? '']),
      onSynced: () => (syncs += 1),
    });
    watcher.start();
    env.onStop(() => watcher.stop());
    await env.kube.create(path, event('ev-before'));
    await waitFor(async () => watcher.store.has('default/ev-before'));

    // The watcher falls far behind: it missed a deletion (w-ghost), and etcd has compacted the
    // history its resourceVersion points into.
    const staleRv = (watcher as unknown as { resourceVersion: string }).resourceVersion;
    watcher.store.set('default/ev-ghost', { metadata: { name: 'ev-ghost', namespace: 'default' } });
    // Two writes, so the compaction point lies strictly after the revision the watch resumes from.
    await env.kube.create(path, event('ev-during'));
    await env.kube.create(path, event('ev-during-2'));
    await compactEtcd(env);
    (watcher as unknown as { resourceVersion: string }).resourceVersion = staleRv;
    watcher.restart('test: stale resourceVersion');

    await waitFor(async () => syncs >= 2, 20_000, 'a relist after 410');
    const restarts = /findash_operator_watch_restarts_total\{resource="events"\} (\d+)/.exec(
      await metrics.registry.metrics(),
    );
    expect(Number(restarts?.[1])).toBeGreaterThanOrEqual(1);
    expect(events).toContainEqual(['DELETED', 'ev-ghost']);
    expect(watcher.store.has('default/ev-ghost')).toBe(false);
    expect(watcher.store.has('default/ev-during')).toBe(true);
    await env.kube.create(path, event('ev-after'));
    await waitFor(async () => events.some(([t, n]) => t === 'ADDED' && n === 'ev-after'));
  });
});
