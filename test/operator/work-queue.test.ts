import { setTimeout as sleep } from 'node:timers/promises';

import { describe, expect, it } from '@jest/globals';

import { WorkQueue, type Handler } from '../../operator/controller/work-queue.js';
import { createMetrics } from '../../operator/metrics.js';

/** A handler whose calls the test releases one by one. */
function gatedHandler() {
  const calls: string[] = [];
  const waiting: Array<{ key: string; release: (err?: Error) => void }> = [];
  const handler: Handler = (key) => {
    calls.push(key);
    return new Promise((resolve, reject) => {
      waiting.push({ key, release: (err) => (err ? reject(err) : resolve(undefined)) });
    });
  };
  return { handler, calls, waiting };
}

async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(2);
  }
}

async function metric(
  registry: ReturnType<typeof createMetrics>['registry'],
  name: string,
  labels = '',
): Promise<number> {
  const text = await registry.metrics();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name}{`)));
  return line ? Number(line.split(' ').pop()) : NaN;
}

const opts = { name: 'tenant', concurrency: 2, backoffBaseMs: 10, backoffMaxMs: 80 };

describe('WorkQueue', () => {
  it('merges repeated adds of a queued key into one pass', async () => {
    const { handler, calls, waiting } = gatedHandler();
    const q = new WorkQueue(handler, { ...opts, concurrency: 1 });
    q.start();
    q.add('a'); // taken by the only worker
    q.add('b');
    q.add('b');
    q.add('b');
    expect(q.depth).toBe(1);
    waiting.shift()!.release();
    await until(() => waiting.length === 1);
    waiting.shift()!.release();
    await q.whenIdle();
    expect(calls).toEqual(['a', 'b']);
    await q.shutdown();
  });

  it('never runs one key twice at once: an add during its pass runs it once more afterwards', async () => {
    const { handler, calls, waiting } = gatedHandler();
    const q = new WorkQueue(handler, opts);
    q.start();
    q.add('a');
    await until(() => waiting.length === 1);
    q.add('a');
    q.add('a');
    await sleep(20);
    expect(calls).toEqual(['a']); // the second worker stays idle rather than run "a" concurrently
    waiting.shift()!.release();
    await until(() => waiting.length === 1);
    expect(calls).toEqual(['a', 'a']);
    waiting.shift()!.release();
    await q.whenIdle();
    expect(calls).toEqual(['a', 'a']);
    await q.shutdown();
  });

  it('runs at most `concurrency` handlers at a time, in FIFO order', async () => {
    const { handler, calls, waiting } = gatedHandler();
    const metrics = createMetrics({ defaultMetrics: false });
    const q = new WorkQueue(handler, { ...opts, concurrency: 3, metrics });
    q.start();
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) q.add(k);
    await until(() => waiting.length === 3);
    await sleep(20);
    expect(calls).toEqual(['a', 'b', 'c']);
    expect(q.active).toBe(3);
    expect(await metric(metrics.registry, 'controller_runtime_active_workers', '{controller="tenant"}')).toBe(
      3,
    );
    expect(await metric(metrics.registry, 'workqueue_depth', '{name="tenant"}')).toBe(4);
    let maxSeen = 0;
    while (waiting.length > 0) {
      maxSeen = Math.max(maxSeen, q.active);
      waiting.shift()!.release();
      await sleep(5);
    }
    await q.whenIdle();
    expect(maxSeen).toBeLessThanOrEqual(3);
    expect(calls).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(
      await metric(metrics.registry, 'controller_runtime_max_concurrent_reconciles', '{controller="tenant"}'),
    ).toBe(3);
    expect(await metric(metrics.registry, 'workqueue_adds_total', '{name="tenant"}')).toBe(7);
    expect(
      await metric(
        metrics.registry,
        'controller_runtime_reconcile_total',
        '{controller="tenant",result="success"}',
      ),
    ).toBe(7);
    await q.shutdown();
  });

  it('retries a failing key with exponential backoff up to the cap, and resets after a success', async () => {
    const times: number[] = [];
    let failuresLeft = 6;
    const metrics = createMetrics({ defaultMetrics: false });
    const q = new WorkQueue(
      () => {
        times.push(Date.now());
        if (failuresLeft-- > 0) return Promise.reject(new Error('database down'));
        return Promise.resolve(undefined);
      },
      { ...opts, metrics },
    );
    expect([1, 2, 3, 4, 5, 6].map((n) => q.backoff(n))).toEqual([10, 20, 40, 80, 80, 80]);
    q.start();
    q.add('a');
    await until(() => times.length === 7, 5000);
    await q.whenIdle();
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Each retry waits at least its backoff (timers never fire early) and the cap holds.
    expect(gaps[0]).toBeGreaterThanOrEqual(9);
    expect(gaps[1]).toBeGreaterThanOrEqual(19);
    expect(gaps[2]).toBeGreaterThanOrEqual(39);
    expect(gaps[3]).toBeGreaterThanOrEqual(79);
    expect(Math.max(...gaps)).toBeLessThan(80 + 60);
    expect(q.failureCount('a')).toBe(0);
    expect(await metric(metrics.registry, 'workqueue_retries_total', '{name="tenant"}')).toBe(6);
    expect(
      await metric(metrics.registry, 'controller_runtime_reconcile_errors_total', '{controller="tenant"}'),
    ).toBe(6);
    expect(
      await metric(
        metrics.registry,
        'controller_runtime_reconcile_total',
        '{controller="tenant",result="error"}',
      ),
    ).toBe(6);
    await q.shutdown();
  });

  it('keeps backoff per key: one failing key does not slow the others', async () => {
    const seen: string[] = [];
    const q = new WorkQueue(
      (key) => {
        seen.push(key);
        return key === 'bad' ? Promise.reject(new Error('nope')) : Promise.resolve(undefined);
      },
      { ...opts, backoffBaseMs: 1000, backoffMaxMs: 1000 },
    );
    q.start();
    q.add('bad');
    q.add('good');
    await q.whenIdle();
    q.add('good');
    await q.whenIdle();
    expect(seen.filter((k) => k === 'good')).toHaveLength(2);
    expect(seen.filter((k) => k === 'bad')).toHaveLength(1);
    expect(q.failureCount('bad')).toBe(1);
    expect(q.isPending('bad')).toBe(true); // waiting out its backoff
    await q.shutdown();
  });

  it('honours requeueAfter, and an earlier request for the same key wins', async () => {
    const times = new Map<string, number[]>();
    const start = Date.now();
    let first = true;
    const q = new WorkQueue((key) => {
      times.set(key, [...(times.get(key) ?? []), Date.now() - start]);
      if (first) {
        first = false;
        return Promise.resolve({ requeueAfterMs: 60 });
      }
      return Promise.resolve(undefined);
    }, opts);
    q.start();
    q.add('a');
    await until(() => (times.get('a') ?? []).length === 2);
    expect(times.get('a')![1]! - times.get('a')![0]!).toBeGreaterThanOrEqual(55);
    q.addAfter('b', 500);
    q.addAfter('b', 20);
    await until(() => (times.get('b') ?? []).length === 1);
    expect(times.get('b')![0]!).toBeLessThan(400);
    await sleep(550);
    expect(times.get('b')).toHaveLength(1); // the later timer was replaced, not kept
    await q.shutdown();
  });

  it('shutdown waits for running handlers and drops queued and delayed keys', async () => {
    const { handler, calls, waiting } = gatedHandler();
    const q = new WorkQueue(handler, { ...opts, concurrency: 1 });
    q.start();
    q.add('a');
    q.add('b');
    q.addAfter('c', 10);
    await until(() => waiting.length === 1);
    let done = false;
    const stopping = q.shutdown().then(() => (done = true));
    await sleep(20);
    expect(done).toBe(false);
    waiting.shift()!.release();
    await stopping;
    await sleep(30);
    expect(calls).toEqual(['a']);
    q.add('d');
    expect(q.depth).toBe(0);
  });
});
