import { kubectl } from './context.js';
import { lastLines, poll } from './shell.js';

// What the checks ask the cluster: Pods' readiness, the API's address and answers, a Tenant's token, an image.

/** Pods of a namespace that are not Ready (Jobs' completed pods count as done). */
export async function notReadyPods(namespace: string): Promise<string[]> {
  const result = await kubectl(['-n', namespace, 'get', 'pods', '-o', 'json']);
  if (result.code !== 0) throw new Error(lastLines(result));
  const pods = (JSON.parse(result.stdout) as { items: Pod[] }).items;
  return pods
    .filter((pod) => pod.status.phase !== 'Succeeded')
    .filter((pod) => !pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((pod) => `${pod.metadata.name} (${pod.status.phase})`);
}

interface Pod {
  metadata: { name: string };
  status: { phase: string; conditions?: { type: string; status: string }[] };
}

async function podCount(namespace: string): Promise<number> {
  const result = await kubectl(['-n', namespace, 'get', 'pods', '-o', 'name']);
  return result.stdout.split('\n').filter(Boolean).length;
}

/** The namespace has Pods and every one is Ready within `timeoutMs` (no Pods at all is a failure, not a pass). */
export async function everyPodReady(namespace: string, timeoutMs: number): Promise<[boolean, string]> {
  const ready = await poll(
    async () =>
      (await podCount(namespace)) > 0 && (await notReadyPods(namespace)).length === 0 ? true : undefined,
    timeoutMs,
  );
  const pods = await podCount(namespace);
  if (pods === 0) return [false, `no Pods in ${namespace}`];
  return ready ? [true, `${pods} pods`] : [false, `not Ready: ${(await notReadyPods(namespace)).join(', ')}`];
}

/**
 * Where a findash component answers: its Service's ClusterIP and port, or for a headless Service (PostgreSQL's
 * StatefulSet) its first Pod's address and that port.
 */
export async function componentAddress(namespace: string, component: string): Promise<string> {
  const selector = `app.kubernetes.io/name=findash,app.kubernetes.io/component=${component}`;
  const service = await kubectl([
    '-n',
    namespace,
    'get',
    'service',
    '-l',
    selector,
    '-o',
    'jsonpath={.items[0].spec.clusterIP} {.items[0].spec.ports[0].port}',
  ]);
  const [clusterIp, port] = service.stdout.trim().split(' ');
  if (service.code !== 0 || !clusterIp || !port)
    throw new Error(`no ${component} Service in ${namespace}: ${lastLines(service)}`);
  if (clusterIp !== 'None') return `${clusterIp}:${port}`;
  const pod = await kubectl([
    '-n',
    namespace,
    'get',
    'pods',
    '-l',
    selector,
    '-o',
    'jsonpath={.items[0].status.podIP}',
  ]);
  if (!pod.stdout.trim()) throw new Error(`no ${component} Pod in ${namespace}: ${lastLines(pod)}`);
  return `${pod.stdout.trim()}:${port}`;
}

/** http://<ClusterIP>:<port> of the namespace's API Service (kube-proxy makes it reachable from the host). */
export async function apiUrl(namespace: string): Promise<string> {
  return `http://${await componentAddress(namespace, 'api')}`;
}

export async function httpStatus(url: string, token?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}

export async function tenantToken(tenant = 'ci-smoke', client = 'smoke'): Promise<string> {
  const result = await kubectl([
    '-n',
    `tenant-${tenant}`,
    'get',
    'secret',
    `${client}-token`,
    '-o',
    'jsonpath={.data.token}',
  ]);
  if (result.code !== 0 || !result.stdout)
    throw new Error(`no ${client}-token Secret for ${tenant}: ${lastLines(result)}`);
  return Buffer.from(result.stdout, 'base64').toString('utf8');
}

export async function deploymentImage(namespace: string, name: string): Promise<string> {
  const result = await kubectl([
    '-n',
    namespace,
    'get',
    'deployment',
    name,
    '-o',
    'jsonpath={.spec.template.spec.containers[0].image}',
  ]);
  return result.stdout.trim();
}

export async function deleteNamespace(namespace: string): Promise<void> {
  await kubectl(['delete', 'tenant', '--all', '--wait=true', '--timeout=120s']);
  await kubectl(['delete', 'namespace', namespace, '--wait=true', '--timeout=300s']);
}
