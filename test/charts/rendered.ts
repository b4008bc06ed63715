// The chart rendered for every environment with the real helm, and typed views of what the chart tests read.
import { beforeAll } from '@jest/globals';

import { ENVIRONMENTS, find, parseObjects, renderChart, type Environment, type K8sObject } from './helm.js';

export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string; optional?: boolean };
      fieldRef?: { fieldPath: string };
    };
  }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  volumes?: { name: string; emptyDir?: { medium?: string; sizeLimit?: string } }[];
  serviceAccountName?: string;
}
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'Job']);
export const podSpec = (o: K8sObject): PodSpec => (o.spec as { template: { spec: PodSpec } }).template.spec;
// A typed view of an object's spec, for the fields a test reads.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export const spec = <T>(o: K8sObject): T => o.spec as T;
export const decode = (o: K8sObject): Record<string, string> =>
  Object.fromEntries(
    Object.entries((o.data ?? {}) as Record<string, string>).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString(),
    ]),
  );

/** The API port of each environment in the runtime contract. */
export const contractPort: Record<Environment, number> = {
  development: 8000,
  testing: 8001,
  staging: 8002,
  production: 8000,
};

/** The chart rendered for every environment (in the calling file's beforeAll): its objects, and its YAML text. */
export function renderedChart() {
  const rendered = new Map<Environment, K8sObject[]>();
  const renderedText = new Map<Environment, string>();
  beforeAll(async () => {
    for (const env of ENVIRONMENTS) {
      const text = await renderChart(env);
      renderedText.set(env, text);
      rendered.set(env, parseObjects(text));
    }
  }, 60_000);
  const objects = (env: Environment): K8sObject[] => rendered.get(env)!;
  return { objects, renderedText };
}

/**
 * A container's environment as the kubelet would build it from the rendered objects. Values held in Secrets the
 * platform provides (existingSecret) get a well-formed stand-in; downward-API fields get the namespace.
 */
export function containerEnv(container: Container, all: K8sObject[], pod?: PodSpec): Record<string, string> {
  // The same Secret key always stands in with the same value, so "which Secret" comparisons still hold.
  const standIn = (variable: string, ref: { name: string; key: string }): string | undefined => {
    if (variable === 'AMQP_URL') return `amqp://${ref.name}:secret@mq.example:5672`;
    if (variable.startsWith('DATABASE')) return `postgres://${ref.name}:secret@db.example:5432/findash`;
    if (variable === 'ADMIN_TOKEN') return 'a'.repeat(32);
    return undefined;
  };
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    Object.assign(env, find(all, 'ConfigMap', from.configMapRef!.name).data as Record<string, string>);
  }
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef) {
      const field = e.valueFrom.fieldRef.fieldPath;
      env[e.name] = field === 'spec.serviceAccountName' ? (pod?.serviceAccountName ?? 'default') : 'findash';
    } else if (ref) {
      const secret = all.find((o) => o.kind === 'Secret' && o.metadata.name === ref.name);
      const value = secret ? decode(secret)[ref.key] : standIn(e.name, ref);
      if (value !== undefined) env[e.name] = value;
      else if (!ref.optional)
        throw new Error(`${container.name}: ${e.name} references missing ${ref.name}/${ref.key}`);
    }
  }
  return env;
}
