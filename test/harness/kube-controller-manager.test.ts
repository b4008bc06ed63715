import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';

import { startControlPlane, type ControlPlane } from './kube.js';
import { clientFor, eventually, START_TIMEOUT, statusCode } from './kube-test-clients.js';

/**
 * Real etcd + kube-apiserver with kube-controller-manager: the controllers that finish deletes and collect
 * garbage.
 */

describe('control plane with kube-controller-manager', () => {
  let cp: ControlPlane;

  beforeAll(async () => {
    cp = await startControlPlane({ withControllerManager: true });
  }, START_TIMEOUT);

  afterAll(async () => {
    await (cp as ControlPlane | undefined)?.stop();
  });

  it('finishes deleting a namespace together with its contents', async () => {
    const core = clientFor(cp).makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'harness-gone' } } });
    await core.createNamespacedConfigMap({
      namespace: 'harness-gone',
      body: { metadata: { name: 'c' }, data: { a: 'b' } },
    });
    // The serviceaccount controller runs too.
    await eventually('the default ServiceAccount', async () =>
      core
        .readNamespacedServiceAccount({ name: 'default', namespace: 'harness-gone' })
        .catch(() => undefined),
    );

    await core.deleteNamespace({ name: 'harness-gone' });
    await eventually(
      'the namespace to disappear',
      async () => {
        try {
          await core.readNamespace({ name: 'harness-gone' });
          return undefined;
        } catch (error) {
          if (statusCode(error) === 404) return true;
          throw error;
        }
      },
      60_000,
    );
  }, 90_000);

  it('garbage-collects dependents through ownerReferences', async () => {
    const core = clientFor(cp).makeApiClient(k8s.CoreV1Api);
    const owner = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'owner' } },
    });
    await core.createNamespacedSecret({
      namespace: 'default',
      body: {
        metadata: {
          name: 'dependent',
          ownerReferences: [
            { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! },
          ],
        },
        stringData: { token: 'x' },
      },
    });
    // The dependent survives while its owner exists.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await core.readNamespacedSecret({ name: 'dependent', namespace: 'default' })).data?.token).toBe(
      'eA==',
    );
    await core.deleteNamespacedConfigMap({ name: 'owner', namespace: 'default' });
    await eventually(
      'the dependent Secret to be collected',
      async () => {
        try {
          await core.readNamespacedSecret({ name: 'dependent', namespace: 'default' });
          return undefined;
        } catch (error) {
          if (statusCode(error) === 404) return true;
          throw error;
        }
      },
      60_000,
    );
  }, 90_000);
});
