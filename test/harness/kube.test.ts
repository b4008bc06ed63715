import { existsSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';

import { kubectl, startControlPlane, type ControlPlane } from './kube.js';
import { groupAlive } from './kube-process.js';
import { clientFor, eventually, START_TIMEOUT, statusCode } from './kube-test-clients.js';

/**
 * Real etcd + kube-apiserver built by `npm run tools`; with kube-controller-manager:
 * kube-controller-manager.test.ts.
 */

const widgetCrd: k8s.V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.harness.findash.io' },
  spec: {
    group: 'harness.findash.io',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['size'],
                properties: { size: { type: 'integer', minimum: 1 } },
              },
            },
          },
        },
      },
    ],
  },
};

describe('control plane (etcd + kube-apiserver, envtest style)', () => {
  let cp: ControlPlane;

  beforeAll(async () => {
    cp = await startControlPlane();
  }, START_TIMEOUT);

  afterAll(async () => {
    await (cp as ControlPlane | undefined)?.stop();
  });

  it('serves kubectl through the admin kubeconfig', async () => {
    const out = await kubectl(cp, ['get', 'namespaces', '-o', 'name']);
    expect(out.split('\n')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system']));
    const version = JSON.parse(await kubectl(cp, ['version', '-o', 'json'])) as {
      serverVersion: { major: string; minor: string; gitVersion: string };
    };
    expect(version.serverVersion).toMatchObject({ major: '1', minor: '32' });
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.32\.\d+$/);
  });

  it('creates namespaces, CRDs and custom objects through @kubernetes/client-node', async () => {
    const kc = clientFor(cp);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);

    await core.createNamespace({ body: { metadata: { name: 'harness-crd' } } });
    expect((await core.readNamespace({ name: 'harness-crd' })).status?.phase).toBe('Active');

    await ext.createCustomResourceDefinition({ body: widgetCrd });
    await eventually('the CRD to be established', async () => {
      const crd = await ext.readCustomResourceDefinition({ name: widgetCrd.metadata!.name! });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
        ? true
        : undefined;
    });

    const widget = {
      apiVersion: 'harness.findash.io/v1',
      kind: 'Widget',
      metadata: { name: 'w1' },
      spec: { size: 3 },
    };
    const created = {
      group: 'harness.findash.io',
      version: 'v1',
      namespace: 'harness-crd',
      plural: 'widgets',
    };
    // Creating right after Established can race the discovery refresh; retry briefly.
    await eventually('the widget to be created', async () => {
      try {
        await custom.createNamespacedCustomObject({ ...created, body: widget });
        return true;
      } catch (error) {
        if (statusCode(error) === 404) return undefined;
        throw error;
      }
    });
    const read = (await custom.getNamespacedCustomObject({ ...created, name: 'w1' })) as {
      spec: { size: number };
    };
    expect(read.spec.size).toBe(3);

    // The schema is enforced by the real apiserver.
    const invalid = { ...widget, metadata: { name: 'w2' }, spec: { size: 0 } };
    const rejected = await custom
      .createNamespacedCustomObject({ ...created, body: invalid })
      .catch((e: unknown) => e);
    expect(statusCode(rejected)).toBe(422);

    expect(await kubectl(cp, ['get', 'widgets', '-n', 'harness-crd', '-o', 'name'])).toBe(
      'widget.harness.findash.io/w1\n',
    );
  });

  it('enforces RBAC for users without bindings', async () => {
    const core = clientFor(cp).makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'harness-rbac' } } });
    await core.createNamespace({ body: { metadata: { name: 'harness-rbac-other' } } });

    const alice = clientFor(cp, 'alice').makeApiClient(k8s.CoreV1Api);
    const denied = await alice
      .listNamespacedConfigMap({ namespace: 'harness-rbac' })
      .catch((e: unknown) => e);
    expect(statusCode(denied)).toBe(403);

    // A Role with explicit rules: the aggregated ClusterRoles (view, edit, admin) stay empty
    // without kube-controller-manager, whose clusterrole-aggregation controller fills them.
    const rbac = clientFor(cp).makeApiClient(k8s.RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: 'harness-rbac',
      body: {
        metadata: { name: 'configmap-reader' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: 'harness-rbac',
      body: {
        metadata: { name: 'alice-reads-configmaps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
      },
    });
    await eventually('the binding to take effect', async () => {
      try {
        await alice.listNamespacedConfigMap({ namespace: 'harness-rbac' });
        return true;
      } catch (error) {
        if (statusCode(error) === 403) return undefined;
        throw error;
      }
    });
    // Only in that namespace, and read-only.
    const otherNs = await alice
      .listNamespacedConfigMap({ namespace: 'harness-rbac-other' })
      .catch((e: unknown) => e);
    expect(statusCode(otherNs)).toBe(403);
    const write = await alice
      .createNamespacedConfigMap({ namespace: 'harness-rbac', body: { metadata: { name: 'nope' } } })
      .catch((e: unknown) => e);
    expect(statusCode(write)).toBe(403);

    expect(
      (
        await kubectl(cp, ['auth', 'can-i', 'list', 'configmaps', '-n', 'harness-rbac', '--as', 'alice'])
      ).trim(),
    ).toBe('yes');
    await expect(kubectl(cp, ['get', 'secrets', '-n', 'kube-system', '--as', 'nobody'])).rejects.toThrow(
      /forbidden/i,
    );
  });

  it(
    'leaves no process and no state behind after stop()',
    async () => {
      const spare = await startControlPlane();
      expect(spare.processes.map((p) => p.name)).toEqual(['etcd', 'kube-apiserver']);
      expect(spare.processes.every((p) => groupAlive(p.pid))).toBe(true);
      await spare.stop();
      expect(spare.processes.filter((p) => groupAlive(p.pid))).toEqual([]);
      expect(existsSync(spare.dir)).toBe(false);
      await expect(kubectl(spare, ['get', 'ns'])).rejects.toThrow();
    },
    START_TIMEOUT,
  );
});
