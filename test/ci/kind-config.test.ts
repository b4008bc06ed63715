import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

import { repoRoot } from '../harness/repo-root.js';

// kind itself needs Docker, which this machine lacks; the file is checked the way kind reads it: the v1alpha4
// Cluster object and the kubeadm patch embedded in it as a YAML string.
interface KindNode {
  role: string;
  kubeadmConfigPatches?: string[];
  extraPortMappings?: { containerPort: number; hostPort: number; protocol?: string }[];
}
interface KindCluster {
  kind: string;
  apiVersion: string;
  name: string;
  nodes: KindNode[];
}

const root = repoRoot();
const config = parse(readFileSync(path.join(root, 'kind-config.yaml'), 'utf8')) as KindCluster;

describe('kind-config.yaml', () => {
  it('is a kind v1alpha4 Cluster named findash', () => {
    expect(config.kind).toBe('Cluster');
    expect(config.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
    expect(config.name).toBe('findash');
  });

  it('has one control-plane node and two workers', () => {
    expect(config.nodes.map((n) => n.role)).toEqual(['control-plane', 'worker', 'worker']);
  });

  it('labels the control plane ingress-ready and maps host ports 80 and 443 to it', () => {
    const controlPlane = config.nodes[0]!;
    const patches = (controlPlane.kubeadmConfigPatches ?? []).map(
      (p) => parse(p) as { kind: string; nodeRegistration?: { kubeletExtraArgs?: Record<string, string> } },
    );
    const init = patches.find((p) => p.kind === 'InitConfiguration');
    const labels = (init?.nodeRegistration?.kubeletExtraArgs?.['node-labels'] ?? '').split(',');
    expect(labels).toContain('ingress-ready=true');
    expect(controlPlane.extraPortMappings).toEqual([
      { containerPort: 80, hostPort: 80, protocol: 'TCP' },
      { containerPort: 443, hostPort: 443, protocol: 'TCP' },
    ]);
    for (const worker of config.nodes.slice(1)) expect(worker.extraPortMappings).toBeUndefined();
  });

  it('is the cluster ci/kind-up.sh creates', () => {
    const script = readFileSync(path.join(root, 'ci', 'kind-up.sh'), 'utf8');
    expect(script).toContain('kind-config.yaml');
    expect(script).toMatch(/CLUSTER_NAME="\$\{KIND_CLUSTER_NAME:-findash\}"/);
  });
});
