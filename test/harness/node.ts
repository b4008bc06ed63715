import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {
  httpGet,
  kubeconfigYaml,
  kubectl,
  readTls,
  toolsBinDir,
  waitReady,
  type ControlPlane,
} from './kube.js';
import { NODE_ADDRESS, NODE_NAME } from './kube-pki.js';
import { startProcess, stopGroup, type ManagedProcess, type StartedProcess } from './kube-process.js';
import { cniConfig, ensureHostNetwork, POD_CIDR, removeHostNetwork, run } from './node-network.js';
import { freePort } from './ports.js';

/**
 * One Kubernetes node on this machine, so Pods really run: Debian's containerd 1.6 with runc, the CNI
 * bridge/host-local/portmap/loopback plugins, and kubelet + kube-proxy (iptables mode) of the pinned
 * Kubernetes version (ensure-tools.sh --node). Cluster add-ons run beside it as host processes on
 * NODE_ADDRESS: CoreDNS (the kubelet's cluster DNS) and metrics-server (behind the aggregation layer, so the
 * HPA has CPU metrics). Static hostPath PersistentVolumes stand in for a storage provisioner.
 *
 * The node needs a control plane started with `forNode: true` and root. stopNode() removes every container,
 * mount, network device and iptables rule it made.
 */
export const PAUSE_IMAGE = 'findash.local/pause:3.10';
const CONTAINERD_NAMESPACE = 'k8s.io';
const PERSISTENT_VOLUMES = 12;
// hostPath capacity is nominal (nothing enforces it): large enough for every environment's claims.
const VOLUME_SIZE = '100Gi';

export interface NodeState {
  dir: string;
  containerdSocket: string;
  /** containerd first, add-ons last: stopNode() stops them in reverse, containers in between. */
  processes: ManagedProcess[];
}

export interface NodeOptions {
  /** State directory (containerd root, kubelet root, volumes, logs). */
  dir: string;
  keepAlive?: boolean;
  timeoutMs?: number;
}

function bin(name: string): string {
  const file = path.join(toolsBinDir(), name);
  if (!existsSync(file)) {
    throw new Error(`${name} is not built: run \`bash test/harness/ensure-tools.sh --node\` first.`);
  }
  return file;
}

export function ctr(socket: string, args: string[]): Promise<string> {
  return run('ctr', ['--address', socket, '--namespace', CONTAINERD_NAMESPACE, ...args]);
}

function containerdConfig(dir: string, socket: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return [
    'version = 2',
    `root = "${path.join(dir, 'containerd', 'root')}"`,
    `state = "${path.join(dir, 'containerd', 'state')}"`,
    '[grpc]',
    `  address = "${socket}"`,
    '[debug]',
    '  level = "warn"',
    `[${cri}]`,
    `  sandbox_image = "${PAUSE_IMAGE}"`,
    // This VM cannot lower a process's oom_score_adj: without this every sandbox fails to start.
    '  restrict_oom_score_adj = true',
    '  enable_unprivileged_ports = true',
    `[${cri}.containerd]`,
    '  default_runtime_name = "runc"',
    '  snapshotter = "overlayfs"',
    `[${cri}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
    `  base_runtime_spec = "${path.join(dir, 'containerd', 'base-spec.json')}"`,
    `[${cri}.containerd.runtimes.runc.options]`,
    '  SystemdCgroup = false',
    `[${cri}.cni]`,
    '  bin_dir = "/usr/lib/cni"',
    `  conf_dir = "${path.join(dir, 'cni', 'net.d')}"`,
    '',
  ].join('\n');
}

/**
 * containerd's default OCI spec with RLIMIT_NOFILE lowered to what a process without CAP_SYS_RESOURCE may
 * set here (the hard limit is 20000; the default 1048576 fails with "error setting rlimit type 7").
 */
async function baseRuntimeSpec(): Promise<string> {
  const spec = JSON.parse(await run('ctr', ['oci', 'spec'])) as { process: { rlimits?: unknown[] } };
  const hard = Number(
    readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+\d+\s+(\d+)/)?.[1] ?? 20000,
  );
  spec.process.rlimits = [
    { type: 'RLIMIT_NOFILE', hard: Math.min(hard, 65536), soft: Math.min(hard, 65536) },
  ];
  return JSON.stringify(spec, null, 2);
}

function kubeletConfig(
  dir: string,
  socket: string,
  ports: { kubelet: number; healthz: number },
  ca: string,
): string {
  return JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: NODE_ADDRESS,
      port: ports.kubelet,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: ports.healthz,
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: ca },
      },
      authorization: { mode: 'Webhook' },
      cgroupDriver: 'cgroupfs',
      containerRuntimeEndpoint: `unix://${socket}`,
      clusterDNS: [NODE_ADDRESS],
      clusterDomain: 'cluster.local',
      failSwapOn: false,
      // The images are loaded, not pulled: never garbage-collect them, evict only when the disk is nearly full.
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      evictionHard: { 'memory.available': '200Mi', 'nodefs.available': '2%', 'imagefs.available': '2%' },
      serializeImagePulls: false,
      podCIDR: POD_CIDR,
      resolvConf: '/etc/resolv.conf',
      rotateCertificates: false,
      serverTLSBootstrap: false,
      volumePluginDir: path.join(dir, 'kubelet-plugins'),
      shutdownGracePeriod: '0s',
    },
    null,
    2,
  );
}

function corefile(kubeconfig: string, ports: { health: number; ready: number; metrics: number }): string {
  return [
    '.:53 {',
    `    bind ${NODE_ADDRESS}`,
    '    errors',
    `    health 127.0.0.1:${ports.health}`,
    `    ready 127.0.0.1:${ports.ready}`,
    `    prometheus 127.0.0.1:${ports.metrics}`,
    '    kubernetes cluster.local in-addr.arpa ip6.arpa {',
    `        kubeconfig ${kubeconfig} findash-test`,
    '        pods insecure',
    '        fallthrough in-addr.arpa ip6.arpa',
    '    }',
    '    forward . /etc/resolv.conf',
    '    cache 30',
    '    loop',
    '}',
    '',
  ].join('\n');
}

/** metrics-server behind the aggregation layer: a selector-less Service whose Endpoints are the host. */
function metricsApiObjects(port: number): string {
  const objects = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'metrics-server', namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } },
      spec: { ports: [{ name: 'https', port: 443, targetPort: port }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'metrics-server', namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } },
      subsets: [{ addresses: [{ ip: NODE_ADDRESS }], ports: [{ name: 'https', port }] }],
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io' },
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        // metrics-server's serving certificate is self-signed (its --cert-dir), as in its own manifests.
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
        service: { name: 'metrics-server', namespace: 'kube-system', port: 443 },
      },
    },
  ];
  return objects.map((o) => JSON.stringify(o)).join('\n');
}

/** Static hostPath volumes: PVCs without a storage class bind to them (no provisioner on a bare node). */
async function persistentVolumes(dir: string): Promise<string> {
  const objects = [];
  for (let i = 0; i < PERSISTENT_VOLUMES; i += 1) {
    const hostPath = path.join(dir, 'volumes', `pv-${i}`);
    await mkdir(hostPath, { recursive: true, mode: 0o777 });
    // Pods run as their own non-root users and hostPath ignores fsGroup: the directory must be writable.
    await run('chmod', ['1777', hostPath]);
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `findash-node-pv-${i}`, labels: { 'findash.dev/node-volume': 'true' } },
      spec: {
        capacity: { storage: VOLUME_SIZE },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: hostPath, type: 'Directory' },
      },
    });
  }
  return objects.map((o) => JSON.stringify(o)).join('\n');
}

export async function startNode(cp: ControlPlane, options: NodeOptions): Promise<NodeState> {
  const dir = path.resolve(options.dir);
  const keepAlive = options.keepAlive ?? false;
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  const logs = path.join(dir, 'logs');
  for (const sub of ['logs', 'containerd', 'cni/net.d', 'cni/ipam', 'kubelet', 'coredns', 'metrics-server']) {
    await mkdir(path.join(dir, sub), { recursive: true });
  }
  await ensureHostNetwork();
  const socket = path.join(dir, 'containerd', 'containerd.sock');
  const started: StartedProcess[] = [];
  const state: NodeState = { dir, containerdSocket: socket, processes: [] };
  const record = (proc: StartedProcess) => {
    started.push(proc);
    state.processes.push({ name: proc.name, pid: proc.pid, binary: proc.binary, log: proc.log });
  };

  try {
    await writeFile(path.join(dir, 'containerd', 'base-spec.json'), await baseRuntimeSpec());
    await writeFile(path.join(dir, 'containerd', 'config.toml'), containerdConfig(dir, socket));
    await writeFile(
      path.join(dir, 'cni', 'net.d', '10-findash.conflist'),
      cniConfig(path.join(dir, 'cni', 'ipam')),
    );
    const containerd = startProcess(
      'containerd',
      '/usr/bin/containerd',
      ['--config', path.join(dir, 'containerd', 'config.toml')],
      path.join(logs, 'containerd.log'),
      { keepAlive },
    );
    record(containerd);
    await waitReady(
      containerd,
      'serving',
      async () =>
        ctr(socket, ['version']).then(
          () => true,
          () => false,
        ),
      deadline,
    );
    // Every sandbox starts from the pause image: it must be there before the kubelet's first Pod.
    await loadImages(socket, [PAUSE_IMAGE]);

    const kubeletPki = await readTls(cp.pki, cp.pki.kubeletCert, cp.pki.kubeletKey);
    const admin = { ca: cp.ca, cert: cp.adminCert, key: cp.adminKey };
    const kubeletKubeconfig = path.join(dir, 'kubelet.kubeconfig');
    const adminKubeconfig = path.join(dir, 'admin.kubeconfig');
    await writeFile(kubeletKubeconfig, kubeconfigYaml(cp.server, `system:node:${NODE_NAME}`, kubeletPki), {
      mode: 0o600,
    });
    await writeFile(adminKubeconfig, kubeconfigYaml(cp.server, 'findash-admin', admin), { mode: 0o600 });

    const kubeletPort = await freePort();
    const kubeletHealthz = await freePort();
    const proxyHealthz = await freePort();
    const proxyMetrics = await freePort();
    const dnsHealth = await freePort();
    const dnsReady = await freePort();
    const dnsMetrics = await freePort();
    const msPort = await freePort();
    await writeFile(
      path.join(dir, 'kubelet', 'config.json'),
      kubeletConfig(dir, socket, { kubelet: kubeletPort, healthz: kubeletHealthz }, cp.pki.caCert),
    );
    const kubelet = startProcess(
      'kubelet',
      bin('kubelet'),
      [
        `--config=${path.join(dir, 'kubelet', 'config.json')}`,
        `--kubeconfig=${kubeletKubeconfig}`,
        `--root-dir=${path.join(dir, 'kubelet', 'root')}`,
        `--hostname-override=${NODE_NAME}`,
        `--node-ip=${NODE_ADDRESS}`,
        `--cert-dir=${path.join(dir, 'kubelet', 'pki')}`,
        '--v=1',
      ],
      path.join(logs, 'kubelet.log'),
      { keepAlive },
    );
    record(kubelet);

    await writeFile(
      path.join(dir, 'kube-proxy.json'),
      JSON.stringify({
        apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
        kind: 'KubeProxyConfiguration',
        mode: 'iptables',
        clusterCIDR: POD_CIDR,
        hostnameOverride: NODE_NAME,
        bindAddress: NODE_ADDRESS,
        healthzBindAddress: `127.0.0.1:${proxyHealthz}`,
        metricsBindAddress: `127.0.0.1:${proxyMetrics}`,
        nodePortAddresses: [`${NODE_ADDRESS}/32`],
        clientConnection: { kubeconfig: adminKubeconfig },
        // Leave the host's conntrack sysctls alone (a VM may not allow them to change).
        conntrack: { maxPerCore: 0, min: 0 },
      }),
    );
    const proxy = startProcess(
      'kube-proxy',
      bin('kube-proxy'),
      [`--config=${path.join(dir, 'kube-proxy.json')}`, '--v=1'],
      path.join(logs, 'kube-proxy.log'),
      { keepAlive },
    );
    record(proxy);

    await writeFile(
      path.join(dir, 'coredns', 'Corefile'),
      corefile(adminKubeconfig, { health: dnsHealth, ready: dnsReady, metrics: dnsMetrics }),
    );
    const coredns = startProcess(
      'coredns',
      bin('coredns'),
      ['-conf', path.join(dir, 'coredns', 'Corefile')],
      path.join(logs, 'coredns.log'),
      { keepAlive },
    );
    record(coredns);

    const metricsServer = startProcess(
      'metrics-server',
      bin('metrics-server'),
      [
        `--kubeconfig=${adminKubeconfig}`,
        `--authentication-kubeconfig=${adminKubeconfig}`,
        `--authorization-kubeconfig=${adminKubeconfig}`,
        `--bind-address=${NODE_ADDRESS}`,
        `--secure-port=${msPort}`,
        `--cert-dir=${path.join(dir, 'metrics-server')}`,
        // The kubelet's serving certificate is self-signed, as on kind.
        '--kubelet-insecure-tls',
        '--kubelet-preferred-address-types=InternalIP',
        '--kubelet-use-node-status-port',
        '--metric-resolution=15s',
      ],
      path.join(logs, 'metrics-server.log'),
      { keepAlive },
    );
    record(metricsServer);

    await waitReady(
      kubelet,
      'Ready',
      async () => {
        const ready = await kubectl(cp, [
          'get',
          'node',
          NODE_NAME,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ]).catch(() => '');
        return ready === 'True';
      },
      deadline,
    );
    await waitReady(
      coredns,
      'ready',
      async () => (await httpGet(`http://127.0.0.1:${dnsReady}/ready`))?.status === 200,
      deadline,
    );
    await kubectl(
      cp,
      ['apply', '--server-side', '--field-manager=findash-node', '-f', '-'],
      metricsApiObjects(msPort),
    );
    await kubectl(
      cp,
      ['apply', '--server-side', '--field-manager=findash-node', '-f', '-'],
      await persistentVolumes(dir),
    );
    await waitReady(
      metricsServer,
      'serving metrics.k8s.io',
      async () => {
        const available = await kubectl(cp, [
          'get',
          'apiservice',
          'v1beta1.metrics.k8s.io',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Available")].status}',
        ]).catch(() => '');
        return available === 'True';
      },
      deadline,
    );
    return state;
  } catch (error) {
    await stopNode(state).catch(() => undefined);
    throw error;
  }
}

/** The network namespaces of the node's Pod sandboxes, read from their OCI specs. */
async function sandboxNetns(socket: string, ids: string[]): Promise<string[]> {
  const paths = new Set<string>();
  for (const id of ids) {
    try {
      const info = JSON.parse(await ctr(socket, ['containers', 'info', id])) as {
        Spec?: { linux?: { namespaces?: { type: string; path?: string }[] } };
      };
      for (const ns of info.Spec?.linux?.namespaces ?? []) {
        if (ns.type === 'network' && ns.path?.includes('/netns/')) paths.add(ns.path);
      }
    } catch {
      // Gone already.
    }
  }
  return [...paths];
}

/** Unmounts everything mounted below `dir` (deepest first). */
async function unmountBelow(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) await run('umount', ['-l', point]).catch(() => undefined);
}

/**
 * Stops the node: kubelet and the add-ons first (so nothing restarts containers), then every container and
 * sandbox containerd runs for it, containerd, leftover mounts and network namespaces, kube-proxy's iptables
 * rules, the CNI bridge and the dummy interface.
 */
export async function stopNode(state: NodeState): Promise<void> {
  const [containerd, ...rest] = state.processes;
  for (const proc of [...rest].reverse()) await stopGroup(proc.pid);
  const socket = state.containerdSocket;
  let netns: string[] = [];
  if (containerd && existsSync(socket)) {
    const ids = (await ctr(socket, ['containers', 'ls', '-q']).catch(() => '')).split('\n').filter(Boolean);
    netns = await sandboxNetns(socket, ids);
    for (const id of ids) {
      await ctr(socket, ['tasks', 'kill', '--all', '--signal', 'SIGKILL', id]).catch(() => undefined);
    }
    for (const id of ids) {
      await ctr(socket, ['tasks', 'delete', '--force', id]).catch(() => undefined);
      await ctr(socket, ['containers', 'delete', id]).catch(() => undefined);
    }
  }
  if (containerd) await stopGroup(containerd.pid);
  for (const ns of netns) {
    await run('umount', [ns]).catch(() => undefined);
    await rm(ns, { force: true });
  }
  await unmountBelow(state.dir);
  if (existsSync(path.join(toolsBinDir(), 'kube-proxy'))) {
    await run(path.join(toolsBinDir(), 'kube-proxy'), ['--cleanup']).catch(() => undefined);
  }
  await removeHostNetwork();
}

/** containerd's name for an image reference, as the kubelet asks for it (docker.io/library/ for short names). */
export function normalizedReference(ref: string): string {
  const first = ref.split('/')[0] ?? '';
  const hasRegistry =
    ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return ref;
  return ref.includes('/') ? `docker.io/${ref}` : `docker.io/library/${ref}`;
}

/**
 * Copies images from the local containers-storage (buildah/podman) into the node's containerd, under the
 * names Pods use. Short names live in containers-storage as localhost/<name>. An image whose ID is the one
 * copied last time (recorded beside containerd's socket) is not copied again, so reloading after a rebuild
 * moves only what changed.
 */
export async function loadImages(socket: string, refs: string[]): Promise<void> {
  const record = path.join(path.dirname(socket), 'loaded-images.json');
  const loaded = existsSync(record)
    ? (JSON.parse(readFileSync(record, 'utf8')) as Record<string, string>)
    : {};
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'findash-images-'));
  try {
    for (const ref of refs) {
      const target = normalizedReference(ref);
      // A short name is localhost/<name> in containers-storage; a full one is itself.
      const candidates = target === ref ? [target] : [`localhost/${ref}`, target];
      const found = await firstStored(candidates);
      if (!found) throw new Error(`image ${ref} is not in the local containers-storage (build it first)`);
      if (loaded[target] === found.id) continue;
      const archive = path.join(tmp, 'image.tar');
      await run('skopeo', [
        'copy',
        '--quiet',
        `containers-storage:${found.name}`,
        `docker-archive:${archive}:${target}`,
      ]);
      await ctr(socket, ['images', 'import', archive]);
      await rm(archive, { force: true });
      loaded[target] = found.id;
      await writeFile(record, JSON.stringify(loaded, null, 2) + '\n');
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The first of `names` in the local containers-storage, with its image ID. */
async function firstStored(names: string[]): Promise<{ name: string; id: string } | undefined> {
  for (const name of names) {
    const id = await run('buildah', [
      'inspect',
      '--type',
      'image',
      '--format',
      '{{.FromImageID}}',
      name,
    ]).catch(() => undefined);
    if (id?.trim()) return { name, id: id.trim() };
  }
  return undefined;
}
