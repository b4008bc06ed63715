// Every object of every environment, applied to a real kube-apiserver with a server-side dry run:
// schemas, defaulting, CRD validation (CloudNativePG, RabbitMQ, prometheus-operator, Tenant) and
// admission all judge the manifests the way a cluster would, without anything running.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { synthEnvironment, writeEnvironment } from '../../cdk8s/app.js';
import { ENVIRONMENT_NAMES, ENVIRONMENTS } from '../../cdk8s/environments.js';
import { REPO_ROOT, tenantCrdPath } from '../../cdk8s/lib/paths.js';
import { kubectl, startControlPlane, type ControlPlane } from '../harness/kube.js';

const CRDS_DIR = path.join(REPO_ROOT, 'cdk8s', 'crds');

/** The pinned upstream CRDs plus the Tenant CRD: what a cluster has before findash is applied. */
function crdFiles(): string[] {
  const upstream = readdirSync(CRDS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) =>
      readdirSync(path.join(CRDS_DIR, dir.name))
        .filter((file) => file.endsWith('.yaml'))
        .map((file) => path.join(CRDS_DIR, dir.name, file)),
    );
  return [...upstream, tenantCrdPath()];
}

/**
 * Waits until every CRD reports Established. Right after creation a CRD has no conditions at
 * all, and a kubectl jsonpath filter over a missing list fails instead of matching nothing, so
 * the status is read as JSON and checked here.
 */
async function waitEstablished(plane: ControlPlane, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = JSON.parse(await kubectl(plane, ['get', 'crd', '-o', 'json'])) as {
      items: Array<{
        metadata: { name: string };
        status?: { conditions?: Array<{ type: string; status: string }> };
      }>;
    };
    const pending = list.items
      .filter((crd) => !crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
      .map((crd) => crd.metadata.name);
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new Error(`CRDs not established: ${pending.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

let controlPlane: ControlPlane | undefined;
const cp = (): ControlPlane => {
  if (!controlPlane) throw new Error('the control plane did not start');
  return controlPlane;
};
const outdir = mkdtempSync(path.join(os.tmpdir(), 'findash-cdk8s-dry-run-'));

beforeAll(async () => {
  controlPlane = await startControlPlane();
  for (const file of crdFiles()) {
    // Server-side: the CloudNativePG and prometheus-operator CRDs exceed client-side apply's annotation limit.
    await kubectl(cp(), ['apply', '--server-side', '-f', file]);
  }
  await waitEstablished(cp());
  const namespaces = new Set(ENVIRONMENT_NAMES.map((name) => ENVIRONMENTS[name].namespace));
  for (const namespace of namespaces) await kubectl(cp(), ['create', 'namespace', namespace]);
  for (const name of ENVIRONMENT_NAMES)
    writeEnvironment(name, path.join(outdir, name), { warn: () => undefined });
}, 180_000);

afterAll(async () => {
  await controlPlane?.stop();
  rmSync(outdir, { recursive: true, force: true });
});

describe('server-side dry run against a real kube-apiserver', () => {
  it('has the CRDs the manifests use established', async () => {
    const names = (await kubectl(cp(), ['get', 'crd', '-o', 'name'])).trim().split('\n').sort();
    expect(names).toEqual([
      'customresourcedefinition.apiextensions.k8s.io/clusters.postgresql.cnpg.io',
      'customresourcedefinition.apiextensions.k8s.io/prometheusrules.monitoring.coreos.com',
      'customresourcedefinition.apiextensions.k8s.io/rabbitmqclusters.rabbitmq.com',
      'customresourcedefinition.apiextensions.k8s.io/scheduledbackups.postgresql.cnpg.io',
      'customresourcedefinition.apiextensions.k8s.io/servicemonitors.monitoring.coreos.com',
      'customresourcedefinition.apiextensions.k8s.io/tenants.findash.io',
    ]);
  });

  it.each(ENVIRONMENT_NAMES)('accepts every object of %s', async (name) => {
    const output = await kubectl(cp(), [
      'apply',
      '--server-side',
      '--dry-run=server',
      '--validate=strict',
      '--field-manager=findash-cdk8s',
      '-f',
      path.join(outdir, name),
    ]);
    const applied = output.trim().split('\n');
    expect(applied.every((line) => line.endsWith('serverside-applied (server dry run)'))).toBe(true);
    expect(applied).toHaveLength(synthEnvironment(name, { warn: () => undefined }).length);
  });
});
