// Reading synthesized manifests the way the cluster would: pod templates, their containers, and
// whether a selector actually matches something.
import { synthEnvironment, type KubeObject } from '../../cdk8s/app.js';
import type { EnvironmentName } from '../../cdk8s/environments.js';

export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  ports?: { name?: string; containerPort: number }[];
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: string };
  };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
  livenessProbe?: { httpGet?: { path: string; port: number | string } };
  readinessProbe?: { httpGet?: { path: string; port: number | string } };
  env?: { name: string; value?: string; valueFrom?: unknown }[];
}

export interface PodSpec {
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type: string };
  };
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; emptyDir?: { medium?: string } }[];
}

export interface PodTemplateOwner {
  object: KubeObject;
  labels: Record<string, string>;
  spec: PodSpec;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet']);

/** Fields of an object's spec, typed loosely: tests assert on the shape they expect. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are untyped JSON; the assertions check them
export function spec(object: KubeObject): Record<string, any> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  return (object.spec ?? {}) as Record<string, any>;
}

export function podTemplates(objects: KubeObject[]): PodTemplateOwner[] {
  return objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((object) => {
      const template = spec(object).template as {
        metadata?: { labels?: Record<string, string> };
        spec: PodSpec;
      };
      return { object, labels: template.metadata?.labels ?? {}, spec: template.spec };
    });
}

export function allContainers(pod: PodSpec): Container[] {
  return [...pod.containers, ...(pod.initContainers ?? [])];
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

export function get(objects: KubeObject[], kind: string, name: string): KubeObject {
  const object = find(objects, kind, name);
  if (!object)
    throw new Error(`no ${kind}/${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return object;
}

export function ofKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** Whether `matchLabels` selects an object labelled `labels` (an empty selector selects everything). */
export function matches(matchLabels: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
}

const synthesized = new Map<EnvironmentName, KubeObject[]>();
/** Every object of an environment, synthesized in-process (once per test file). */
export function objectsOf(name: EnvironmentName): KubeObject[] {
  let objects = synthesized.get(name);
  if (objects === undefined) {
    objects = synthEnvironment(name, { warn: () => undefined });
    synthesized.set(name, objects);
  }
  return objects;
}
