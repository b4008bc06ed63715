/**
 * A development Kubernetes cluster that outlives the command starting it.
 *
 *   npm run cluster:up [-- --no-controller-manager]   control plane only: objects are stored, Pods never run
 *   npm run cluster:up -- --nodes                      plus one real node (test/harness/node.ts): Pods run, as root
 *   npm run cluster:status                            is it running and ready?
 *   npm run cluster:load [-- IMAGE...]                copy images from buildah into the node (default: all)
 *   npm run cluster:down [-- --purge]                 stop everything (containers, mounts, network devices,
 *                                                     iptables rules too); --purge also deletes its data
 *
 * State lives in <repo>/.findash/cluster/ (certificates, etcd data, node state, logs, state.json); the admin
 * kubeconfig is copied to <repo>/.findash/kubeconfig.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { kubeBinaries, startControlPlane } from '../../test/harness/kube.js';
import { groupAlive, runs, stopGroup, type ManagedProcess } from '../../test/harness/kube-process.js';
import { loadImages, startNode, stopNode, type NodeState } from '../../test/harness/node.js';
import { ensureHostNetwork } from '../../test/harness/node-network.js';
import { repoRoot } from '../../test/harness/repo-root.js';

interface ClusterState {
  server: string;
  kubeconfigPath: string;
  withControllerManager: boolean;
  startedAt: string;
  processes: ManagedProcess[];
  /** Present when the cluster has a node (--nodes). */
  node?: NodeState;
}

const root = repoRoot();
const clusterDir = path.join(root, '.findash', 'cluster');
const stateFile = path.join(clusterDir, 'state.json');
const kubeconfig = path.join(root, '.findash', 'kubeconfig');

async function readState(): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

/** Our process, still running (not a recycled pid running something else). */
function alive(proc: ManagedProcess): boolean {
  return runs(proc.pid, proc.binary) && groupAlive(proc.pid);
}

const allProcesses = (state: ClusterState) => [...state.processes, ...(state.node?.processes ?? [])];

async function stopState(state: ClusterState): Promise<void> {
  // The node first: its containers are stopped while containerd still runs.
  if (state.node) await stopNode(state.node);
  for (const proc of [...state.processes].reverse()) {
    if (alive(proc)) await stopGroup(proc.pid);
  }
  await rm(stateFile, { force: true });
}

function printUsage(state: ClusterState): void {
  console.log(`API server: ${state.server}`);
  console.log(
    `Processes:  ${allProcesses(state)
      .map((p) => `${p.name} (pid ${p.pid})`)
      .join(', ')}`,
  );
  console.log(`Logs:       ${path.join(clusterDir, 'logs')}`);
  console.log('Use it with:');
  console.log(`  export KUBECONFIG=${kubeconfig}`);
}

/** Builds the binaries if missing (the build script is instant when they are up to date). */
function ensureBinaries(withControllerManager: boolean, withNode: boolean): void {
  if (withNode) {
    // ensure-tools.sh is instant when everything is up to date.
    execFileSync('bash', [path.join(root, 'test', 'harness', 'ensure-tools.sh'), '--quiet', '--node'], {
      stdio: 'inherit',
    });
    return;
  }
  try {
    kubeBinaries({ controllerManager: withControllerManager });
    return;
  } catch {
    const tools = ['etcd', 'kube-apiserver', ...(withControllerManager ? ['kube-controller-manager'] : [])];
    console.error('Building the Kubernetes binaries first (several minutes the first time)...');
    execFileSync('bash', [path.join(root, 'test', 'harness', 'ensure-tools.sh'), ...tools], {
      stdio: 'inherit',
    });
  }
}

/** findash's images and the third-party ones the node needs, where buildah has them (npm run images). */
function imagesToLoad(): string[] {
  const map = JSON.parse(readFileSync(path.join(root, 'ci', 'images', 'node-images.json'), 'utf8')) as {
    images: Record<string, { local?: string }>;
  };
  const wanted = [
    'findash:dev',
    ...Object.values(map.images).flatMap((entry) => (entry.local ? [entry.local] : [])),
  ];
  return wanted.filter((ref) => {
    for (const name of [ref, `localhost/${ref}`]) {
      try {
        execFileSync('buildah', ['inspect', '--type', 'image', name], { stdio: 'ignore' });
        return true;
      } catch {
        // not this name
      }
    }
    console.log(`  (image ${ref} is not built; npm run images builds it)`);
    return false;
  });
}

async function up(args: string[]): Promise<number> {
  const withNode = args.includes('--nodes');
  const withControllerManager = withNode || !args.includes('--no-controller-manager');
  const existing = await readState();
  if (existing) {
    if (allProcesses(existing).every(alive) && Boolean(existing.node) === withNode) {
      console.log('The development cluster is already running.');
      printUsage(existing);
      return 0;
    }
    console.log(
      existing.processes.every(alive)
        ? 'Restarting the cluster with a different shape...'
        : 'Cleaning up a cluster that is partly stopped...',
    );
    await stopState(existing);
  }
  ensureBinaries(withControllerManager, withNode);
  const startedAt = Date.now();
  if (withNode) await ensureHostNetwork();
  const cp = await startControlPlane({
    dir: clusterDir,
    keepAlive: true,
    withControllerManager,
    forNode: withNode,
  });
  await copyFile(cp.kubeconfigPath, kubeconfig);
  const state: ClusterState = {
    server: cp.server,
    kubeconfigPath: kubeconfig,
    withControllerManager,
    startedAt: new Date().toISOString(),
    processes: cp.processes,
  };
  await writeFile(stateFile, JSON.stringify(state, null, 2) + '\n');
  if (withNode) {
    try {
      state.node = await startNode(cp, { dir: path.join(clusterDir, 'node'), keepAlive: true });
      await writeFile(stateFile, JSON.stringify(state, null, 2) + '\n');
      const images = imagesToLoad();
      console.log(`Loading ${images.length} images into the node's containerd...`);
      await loadImages(state.node.containerdSocket, images);
    } catch (error) {
      await stopState(state);
      throw error;
    }
  }
  console.log(`The development cluster is up (${((Date.now() - startedAt) / 1000).toFixed(1)} s).`);
  printUsage(state);
  return 0;
}

async function down(args: string[]): Promise<number> {
  const state = await readState();
  if (state) {
    await stopState(state);
    console.log('The development cluster is stopped.');
  } else {
    console.log('The development cluster is not running.');
  }
  await rm(kubeconfig, { force: true });
  if (args.includes('--purge') && existsSync(clusterDir)) {
    await rm(clusterDir, { recursive: true, force: true });
    console.log(`Deleted ${clusterDir}.`);
  }
  return 0;
}

/** Copies images from buildah's storage into the running node (after a rebuild, or an image of one's own). */
async function load(refs: string[]): Promise<number> {
  const state = await readState();
  if (!state?.node) {
    console.error('No node is running (npm run cluster:up -- --nodes starts one).');
    return 1;
  }
  if (refs.length === 0) refs = imagesToLoad();
  await loadImages(state.node.containerdSocket, refs);
  console.log(`Loaded into the node: ${refs.join(', ')}`);
  return 0;
}

async function status(): Promise<number> {
  const state = await readState();
  if (!state) {
    console.log('The development cluster is not running (npm run cluster:up starts it).');
    return 1;
  }
  const dead = allProcesses(state).filter((p) => !alive(p));
  if (dead.length > 0) {
    console.log(`The development cluster is broken: ${dead.map((p) => p.name).join(', ')} not running.`);
    console.log('Run npm run cluster:down, then npm run cluster:up.');
    return 1;
  }
  let ready: string;
  try {
    ready = execFileSync(kubeBinaries().kubectl, ['--kubeconfig', kubeconfig, 'get', '--raw', '/readyz'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    }).trim();
  } catch (error) {
    ready = `not ready (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
  console.log(`The development cluster is running; /readyz: ${ready}.`);
  printUsage(state);
  return ready === 'ok' ? 0 : 1;
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'up':
      return up(args);
    case 'down':
      return down(args);
    case 'status':
      return status();
    case 'load':
      return load(args);
    default:
      console.error(
        'usage: tools/cluster/cli.ts up [--no-controller-manager | --nodes] | down [--purge] | status | load [IMAGE...]',
      );
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
