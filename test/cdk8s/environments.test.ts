/* eslint-disable @typescript-eslint/no-unsafe-argument --
   synthesized manifests are untyped JSON (see helpers.spec); the expectations are the type check. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from '@jest/globals';

import { synthEnvironment, writeEnvironment } from '../../cdk8s/app.js';
import { ENVIRONMENT_NAMES, ENVIRONMENTS } from '../../cdk8s/environments.js';
import { allContainers, get, matches, objectsOf, ofKind, podTemplates, spec } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'findash-cdk8s-test-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe.each(ENVIRONMENT_NAMES)('%s manifests', (name) => {
  const env = ENVIRONMENTS[name];
  const objects = objectsOf(name);
  const templates = podTemplates(objects);

  it('name every object uniquely and put namespaced ones in the product namespace', () => {
    const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    const clusterScoped = new Set([
      'Namespace',
      'CustomResourceDefinition',
      'ClusterRole',
      'ClusterRoleBinding',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
    ]);
    for (const o of objects) {
      expect(o.metadata.namespace).toBe(clusterScoped.has(o.kind) ? undefined : env.namespace);
    }
  });

  it('harden every pod template', () => {
    expect(templates.length).toBeGreaterThan(0);
    for (const { object, spec: pod } of templates) {
      const where = `${object.kind}/${object.metadata.name}`;
      expect([where, pod.securityContext?.runAsNonRoot]).toEqual([where, true]);
      expect([where, pod.securityContext?.runAsUser]).toEqual([where, expect.any(Number)]);
      expect(pod.securityContext!.runAsUser).toBeGreaterThan(0);
      expect([where, pod.securityContext?.seccompProfile?.type]).toEqual([where, 'RuntimeDefault']);
      const tmpVolume = pod.volumes?.find((v) => v.name === 'tmp');
      expect([where, tmpVolume?.emptyDir]).toEqual([where, expect.any(Object)]);
      for (const c of allContainers(pod)) {
        const at = `${where} container ${c.name}`;
        expect([at, c.securityContext?.readOnlyRootFilesystem]).toEqual([at, true]);
        expect([at, c.securityContext?.allowPrivilegeEscalation]).toEqual([at, false]);
        expect([at, c.securityContext?.capabilities?.drop]).toEqual([at, ['ALL']]);
        expect([at, c.securityContext?.capabilities?.add]).toEqual([at, undefined]);
        expect([at, c.imagePullPolicy]).toEqual([at, 'IfNotPresent']);
        expect([at, c.volumeMounts?.some((m) => m.name === 'tmp' && m.mountPath === '/tmp')]).toEqual([
          at,
          true,
        ]);
        for (const kind of ['requests', 'limits'] as const) {
          expect([at, kind, Object.keys(c.resources?.[kind] ?? {}).sort()]).toEqual([
            at,
            kind,
            ['cpu', 'memory'],
          ]);
        }
      }
    }
  });

  it('give every Service endpoints: its selector matches a pod template here or an operator-made pod', () => {
    for (const service of ofKind(objects, 'Service')) {
      const selector = spec(service).selector as Record<string, string>;
      const local = templates.some((t) => matches(selector, t.labels));
      const operatorManaged = 'cnpg.io/cluster' in selector;
      expect([service.metadata.name, local || operatorManaged]).toEqual([service.metadata.name, true]);
    }
  });

  it('deny all traffic by default and open only paths whose peers exist', () => {
    const deny = get(objects, 'NetworkPolicy', 'default-deny-all');
    expect(spec(deny)).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [],
    });

    const api = get(objects, 'NetworkPolicy', 'findash-api');
    const apiLabels = spec(get(objects, 'Deployment', 'findash-api')).template.metadata.labels;
    expect(matches(spec(api).podSelector.matchLabels, apiLabels)).toBe(true);
    const egressPorts = (spec(api).egress as { ports: { port: number }[] }[]).flatMap((r) =>
      r.ports.map((p) => p.port),
    );
    expect(egressPorts).toEqual(expect.arrayContaining([53, 5432, 11211, 5672]));
    const ingressFrom = JSON.stringify(spec(api).ingress);
    expect(ingressFrom).toContain(env.network.ingressControllerNamespace);
    expect(ingressFrom).toContain(env.monitoring.prometheusNamespace);

    const operator = spec(get(objects, 'NetworkPolicy', 'findash-operator'));
    const operatorEgress = (operator.egress as { ports: { port: number }[] }[]).flatMap((r) =>
      r.ports.map((p) => p.port),
    );
    expect(operatorEgress).toEqual(expect.arrayContaining([53, 443, 6443, 5432]));

    // Every component policy selects pods that exist: a local template, or an operator's pods.
    for (const policy of ofKind(objects, 'NetworkPolicy').filter(
      (p) => p.metadata.name !== 'default-deny-all',
    )) {
      const selector = spec(policy).podSelector.matchLabels as Record<string, string>;
      const selectsLocal = templates.some((t) => matches(selector, t.labels));
      const selectsOperatorPods =
        'cnpg.io/cluster' in selector || selector['app.kubernetes.io/name'] === 'findash-rabbitmq';
      expect([policy.metadata.name, selectsLocal || selectsOperatorPods]).toEqual([
        policy.metadata.name,
        true,
      ]);
    }
  });

  it('write one file per chart to the output directory, in apply order', () => {
    const outdir = path.join(tmp, name);
    writeEnvironment(name, outdir, { warn: () => undefined });
    expect(readdirSync(outdir)).toEqual([
      '0000-namespace.yaml',
      '0001-operator.yaml',
      '0002-postgres.yaml',
      '0003-memcached.yaml',
      '0004-rabbitmq.yaml',
      '0005-api.yaml',
      '0006-network-policies.yaml',
      '0007-monitoring.yaml',
    ]);
  });
});

describe('synthesis inputs', () => {
  it('fails with a clear message when the Tenant CRD is missing', () => {
    const previous = process.env.FINDASH_TENANT_CRD;
    process.env.FINDASH_TENANT_CRD = path.join(tmp, 'missing', 'findash.io_tenants.yaml');
    try {
      expect(() => synthEnvironment('development', { warn: () => undefined })).toThrow(
        /Tenant CRD is missing/,
      );
    } finally {
      if (previous === undefined) delete process.env.FINDASH_TENANT_CRD;
      else process.env.FINDASH_TENANT_CRD = previous;
    }
  });

  it('skips rules and dashboards with a warning when their folders are empty', () => {
    const empty = mkdtempSync(path.join(tmp, 'empty-'));
    const warnings: string[] = [];
    const objects = synthEnvironment('testing', {
      rulesDir: empty,
      dashboardsDir: path.join(empty, 'absent'),
      warn: (message) => warnings.push(message),
    });
    expect(ofKind(objects, 'PrometheusRule')).toEqual([]);
    expect(ofKind(objects, 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard)).toEqual([]);
    expect(warnings).toEqual([
      expect.stringContaining('Prometheus rule files'),
      expect.stringContaining('Grafana dashboards'),
    ]);
  });

  it('uses the image a release passes in for the API, its migrations and the operator', () => {
    const objects = synthEnvironment('production', {
      image: 'registry.example/findash:1.2.3',
      warn: () => undefined,
    });
    const images = podTemplates(objects)
      .filter((t) => ['findash-api', 'findash-operator'].includes(t.object.metadata.name))
      .flatMap((t) => allContainers(t.spec).map((c) => c.image));
    expect(images).toEqual(Array(3).fill('registry.example/findash:1.2.3'));
  });
});
