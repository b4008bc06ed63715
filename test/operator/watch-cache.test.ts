import { describe, expect, it } from '@jest/globals';

import type { RequestOptions } from '../../operator/kube/client.js';
import { operatorHarness, waitFor } from './harness.js';
import { applyTenant, tenantName, tenantObject, waitForTenant } from './tenants.js';

/**
 * The reconciler reads from the controller's watch caches (operator/controller/watch-cache.ts):
 * a pass over a converged Tenant asks the API server for nothing, and an object the operator has
 * just written is read from the API server until its watch shows that write.
 */
describe('Tenant operator: reads from the watch cache', () => {
  const env = operatorHarness({ operator: { concurrency: 2 } });

  /** The reconciler's own GETs (a watch's list asks with `limit`; the reconciler never does). */
  function countReconcilerGets(): { readonly paths: string[]; stop(): void } {
    const client = env.op.client;
    const request = client.request.bind(client);
    const paths: string[] = [];
    client.request = <T>(method: string, path: string, options?: RequestOptions): Promise<T> => {
      if (method === 'GET' && options?.query?.limit === undefined) paths.push(path);
      return request<T>(method, path, options);
    };
    return { paths, stop: () => void (client.request = request) };
  }

  it('a resync of a converged Tenant makes no GET to the API server', async () => {
    const name = tenantName('cached');
    const apiClients = [
      { name: 'one', role: 'viewer' as const },
      { name: 'two', role: 'admin' as const },
    ];
    await applyTenant(env.kube, tenantObject(name, { apiClients }));
    await waitForTenant(env.kube, name);
    const controller = env.op.controller()!;
    // Until the namespace's watches have listed (and shown our writes), passes read the API server.
    await waitFor(
      async () => {
        await controller.queue.whenIdle();
        return controller.cache.list('secrets', `tenant-${name}`, () => true)?.length === 2;
      },
      15_000,
      'the Secret watch to hold both Secrets',
    );
    const gets = countReconcilerGets();
    try {
      for (let i = 0; i < 3; i++) {
        controller.queue.add(name);
        await controller.queue.whenIdle();
      }
    } finally {
      gets.stop();
    }
    expect(gets.paths).toEqual([]);
  });

  it('does not answer for an object the operator wrote until its watch shows that write', async () => {
    const name = tenantName('ryw');
    await applyTenant(env.kube, tenantObject(name, { apiClients: [{ name: 'app', role: 'viewer' }] }));
    await waitForTenant(env.kube, name);
    const { cache, queue } = env.op.controller()!;
    await queue.whenIdle(); // no pass of the operator's may note writes of its own meanwhile
    const namespace = `tenant-${name}`;
    const held = await waitFor(
      async () => Promise.resolve(cache.get('secrets', namespace, 'app-token')),
      15_000,
      'the Secret in the cache',
    );

    cache.wrote('secrets', namespace, 'app-token', {
      ...held,
      metadata: { ...held.metadata, resourceVersion: 'not-shown-yet' },
    });
    expect(cache.get('secrets', namespace, 'app-token')).toBeUndefined();
    expect(cache.list('secrets', namespace, () => true)).toBeUndefined();
    // Other objects are still answered.
    expect(cache.get('roles', namespace, 'findash-tenant-credentials-reader')).toBeDefined();

    cache.wrote('secrets', namespace, 'app-token', held);
    expect(cache.get('secrets', namespace, 'app-token')).toBe(held);
    expect(cache.list('secrets', namespace, () => true)).toEqual([held]);

    cache.wrote('secrets', namespace, 'app-token', null);
    expect(cache.list('secrets', namespace, () => true)).toBeUndefined();
  });
});
