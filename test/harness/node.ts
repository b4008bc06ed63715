import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { corednsImage } from './cluster-dns.js';
import { kubeconfigYaml, kubectl, readTls, toolsBinDir, waitReady, type ControlPlane } from './kube.js';
import { NODE_ADDRESS, NODE_NAME } from './kube-pki.js';
import { startProcess, stopGroup, type ManagedProcess, type StartedProcess } from './kube-process.js';
import { removePolicyRules, startAddOns, startPolicyController } from './node-addons.js';
import {
  baseRuntimeSpec,
  containerdConfig,
  kubeletConfig,
  kubeProxyConfig,
  nodeTool,
  PAUSE_IMAGE,
} from './node-config.js';
import { cniConfig, ensureHostNetwork, removeHostNetwork, run } from './node-network.js';
import { freePort } from './ports.js';

// One Kubernetes node on this machine, so Pods really run: Debian's containerd 1.6 with runc, the CNI
// bridge/host-local/portmap/loopback plugins, and kubelet + kube-proxy (iptables mode) of the pinned
// Kubernetes version (ensure-tools.sh --node), with the add-ons of node-addons.ts (CoreDNS, metrics-server,
// kube-router's NetworkPolicy controller, hostPath PersistentVolumes).
//
// The node needs a control plane started with `forNode: true` and root. stopNode() removes every container,
// mount, network device and iptables rule it made.

const CONTAINERD_NAMESPACE = 'k8s.io';

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

export function ctr(socket: string, args: string[]): Promise<string> {
  return run('ctr', ['--address', socket, '--namespace', CONTAINERD_NAMESPACE, ...args]);
}

export async function startNode(cp: ControlPlane, options: NodeOptions): Promise<NodeState> {
  const dir = path.resolve(options.dir);
  const keepAlive = options.keepAlive ?? false;
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  const logs = path.join(dir, 'logs');
  for (const sub of ['logs', 'containerd', 'cni/net.d', 'cni/ipam', 'kubelet']) {
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
    // Every sandbox starts from the pause image, and cluster DNS is the first Pod: both before the kubelet.
    await loadImages(socket, [PAUSE_IMAGE, corednsImage()]);

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
    await writeFile(
      path.join(dir, 'kubelet', 'config.json'),
      kubeletConfig(dir, socket, { kubelet: kubeletPort, healthz: kubeletHealthz }, cp.pki.caCert),
    );
    const kubelet = startProcess(
      'kubelet',
      nodeTool('kubelet'),
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
      kubeProxyConfig(adminKubeconfig, { healthz: await freePort(), metrics: await freePort() }),
    );
    record(
      startProcess(
        'kube-proxy',
        nodeTool('kube-proxy'),
        [`--config=${path.join(dir, 'kube-proxy.json')}`, '--v=1'],
        path.join(logs, 'kube-proxy.log'),
        { keepAlive },
      ),
    );

    const addOns = await startAddOns(dir, adminKubeconfig, { keepAlive, logs });
    addOns.processes.forEach(record);

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
    record(await startPolicyController(adminKubeconfig, { keepAlive, logs, deadline }));
    await addOns.ready(cp, deadline);
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
  await removePolicyRules();
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
