// What the two deployment paths must agree on, extracted from either output: for every workload both
// deploy, its selector, replicas, and per container the image, resources, securityContext, probes, ports and
// environment variable names (env and envFrom ConfigMap keys); PodDisruptionBudgets, the HPA's bounds, and
// which components a NetworkPolicy covers.
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface Probe {
  httpGet?: { path: string; port: number | string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { containerPort: number }[];
  env?: { name: string }[];
  envFrom?: { configMapRef?: { name: string } }[];
  resources?: unknown;
  securityContext?: unknown;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: unknown;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
  affinity?: unknown;
}

/** Probe timings and targets, with kubelet defaults filled in and ports by number. */
function probe(p: Probe | undefined, ports: Map<string, number>): unknown {
  if (!p) return undefined;
  const port = (v: number | string) => (typeof v === 'string' ? (ports.get(v) ?? v) : v);
  return {
    target: p.httpGet
      ? `http ${p.httpGet.path} ${String(port(p.httpGet.port))}`
      : p.tcpSocket
        ? `tcp ${String(port(p.tcpSocket.port))}`
        : `exec ${p.exec?.command.join(' ') ?? ''}`,
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: p.periodSeconds ?? 10,
    timeoutSeconds: p.timeoutSeconds ?? 1,
    failureThreshold: p.failureThreshold ?? 3,
  };
}

/** Kubernetes quantities in one notation (cdk8s writes 1000m, Helm values '1'). */
function quantities(resources: unknown): unknown {
  const r = (resources ?? {}) as Record<string, Record<string, string | number>>;
  const norm = (v: string | number): string => {
    const s = String(v);
    if (/^\d+m$/.test(s)) return String(Number(s.slice(0, -1)) / 1000);
    if (/^\d+Gi$/.test(s)) return `${String(Number(s.slice(0, -2)) * 1024)}Mi`;
    return s;
  };
  return Object.fromEntries(
    Object.entries(r).map(([k, v]) => [
      k,
      Object.fromEntries(Object.entries(v).map(([q, n]) => [q, norm(n)])),
    ]),
  );
}

/** A container's security as the kubelet applies it: the pod's user, group and seccomp unless it sets its own. */
function effectiveSecurity(c: Container, pod: PodSpec): unknown {
  const { runAsUser, runAsGroup, runAsNonRoot, seccompProfile } = pod.securityContext ?? {};
  const inherited = Object.fromEntries(
    Object.entries({ runAsUser, runAsGroup, runAsNonRoot, seccompProfile }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  return { ...inherited, ...((c.securityContext ?? {}) as Record<string, unknown>) };
}

function container(c: Container, pod: PodSpec, configMaps: Map<string, string[]>): unknown {
  const ports = new Map<string, number>();
  for (const p of (c.ports ?? []) as { name?: string; containerPort: number }[]) {
    if (p.name) ports.set(p.name, p.containerPort);
  }
  const envNames = new Set((c.env ?? []).map((e) => e.name));
  for (const from of c.envFrom ?? []) {
    for (const key of configMaps.get(from.configMapRef?.name ?? '') ?? []) envNames.add(key);
  }
  return {
    name: c.name,
    image: c.image,
    command: c.command,
    ports: (c.ports ?? []).map((p) => p.containerPort).sort((a, b) => a - b),
    env: [...envNames].sort(),
    resources: quantities(c.resources),
    securityContext: effectiveSecurity(c, pod),
    liveness: probe(c.livenessProbe, ports),
    readiness: probe(c.readinessProbe, ports),
    startup: probe(c.startupProbe, ports),
    lifecycle: c.lifecycle,
  };
}

export interface WorkloadSettings {
  selector: unknown;
  replicas: unknown;
  terminationGracePeriodSeconds: unknown;
  podSecurityContext: unknown;
  affinity: unknown;
  initContainers: unknown[];
  containers: unknown[];
}

export function workloadSettings(
  objects: Manifest[],
  kind: string,
  name: string,
): WorkloadSettings | undefined {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) return undefined;
  const configMaps = new Map(
    objects
      .filter((x) => x.kind === 'ConfigMap')
      .map((x) => [x.metadata.name, Object.keys((x.data ?? {}) as Record<string, string>)]),
  );
  const spec = o.spec as {
    selector: unknown;
    replicas?: number;
    template: { spec: PodSpec };
  };
  const pod = spec.template.spec;
  const { fsGroup } = pod.securityContext ?? {};
  return {
    selector: spec.selector,
    replicas: spec.replicas,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
    podSecurityContext: { fsGroup },
    affinity: pod.affinity,
    initContainers: (pod.initContainers ?? []).map((c) => container(c, pod, configMaps)),
    containers: pod.containers.map((c) => container(c, pod, configMaps)),
  };
}

export function disruptionBudgets(objects: Manifest[]): Record<string, unknown> {
  return Object.fromEntries(
    objects
      .filter((o) => o.kind === 'PodDisruptionBudget')
      .map((o) => {
        const { minAvailable, maxUnavailable, selector } = o.spec as Record<string, unknown>;
        return [o.metadata.name, { minAvailable, maxUnavailable, selector }];
      }),
  );
}

export function autoscaler(objects: Manifest[]): unknown {
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
  if (!hpa) return undefined;
  const { minReplicas, maxReplicas } = hpa.spec as Record<string, unknown>;
  return { name: hpa.metadata.name, minReplicas, maxReplicas };
}

/** The components whose pods a NetworkPolicy selects, and whether one denies every pod by default. */
export function policyCoverage(objects: Manifest[]): { defaultDeny: boolean; components: string[] } {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const components = new Set<string>();
  let defaultDeny = false;
  for (const p of policies) {
    const spec = p.spec as {
      podSelector: { matchLabels?: Record<string, string> };
      policyTypes: string[];
      ingress?: unknown[];
      egress?: unknown[];
    };
    const labels = spec.podSelector.matchLabels ?? {};
    const component = labels['app.kubernetes.io/component'];
    if (component) components.add(component);
    else if (
      spec.policyTypes.includes('Ingress') &&
      spec.policyTypes.includes('Egress') &&
      !spec.ingress?.length &&
      !spec.egress?.length
    )
      defaultDeny = true;
  }
  return { defaultDeny, components: [...components].sort() };
}
