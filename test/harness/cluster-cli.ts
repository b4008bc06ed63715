/**
 * A development Kubernetes control plane that outlives the command starting it.
 *
 *   npm run cluster:up [-- --no-controller-manager]   start (or report the running one)
 *   npm run cluster:status                            is it running and ready?
 *   npm run cluster:down [-- --purge]                 stop everything; --purge also deletes its data
 *
 * State lives in <repo>/.findash/cluster/ (certificates, etcd data, logs, state.json); the admin
 * kubeconfig is copied to <repo>/.findash/kubeconfig.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { kubeBinaries, startControlPlane } from './kube.js';
import { groupAlive, runs, stopGroup, type ManagedProcess } from './kube-process.js';
import { repoRoot } from './repo-root.js';

interface ClusterState {
  server: string;
  kubeconfigPath: string;
  withControllerManager: boolean;
  startedAt: string;
  processes: ManagedProcess[];
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

async function stopState(state: ClusterState): Promise<void> {
  for (const proc of [...state.processes].reverse()) {
    if (alive(proc)) await stopGroup(proc.pid);
  }
  await rm(stateFile, { force: true });
}

function printUsage(state: ClusterState): void {
  console.log(`API server: ${state.server}`);
  console.log(`Processes:  ${state.processes.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`);
  console.log(`Logs:       ${path.join(clusterDir, 'logs')}`);
  console.log('Use it with:');
  console.log(`  export KUBECONFIG=${kubeconfig}`);
}

/** Builds the binaries if missing (the build script is instant when they are up to date). */
function ensureBinaries(withControllerManager: boolean): void {
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

async function up(args: string[]): Promise<number> {
  const withControllerManager = !args.includes('--no-controller-manager');
  const existing = await readState();
  if (existing) {
    if (existing.processes.every(alive)) {
      console.log('The development cluster is already running.');
      printUsage(existing);
      return 0;
    }
    console.log('Cleaning up a cluster that is partly stopped...');
    await stopState(existing);
  }
  ensureBinaries(withControllerManager);
  const startedAt = Date.now();
  const cp = await startControlPlane({ dir: clusterDir, keepAlive: true, withControllerManager });
  await copyFile(cp.kubeconfigPath, kubeconfig);
  const state: ClusterState = {
    server: cp.server,
    kubeconfigPath: kubeconfig,
    withControllerManager,
    startedAt: new Date().toISOString(),
    processes: cp.processes,
  };
  await writeFile(stateFile, JSON.stringify(state, null, 2) + '\n');
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

async function status(): Promise<number> {
  const state = await readState();
  if (!state) {
    console.log('The development cluster is not running (npm run cluster:up starts it).');
    return 1;
  }
  const dead = state.processes.filter((p) => !alive(p));
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
    default:
      console.error('usage: cluster-cli.ts up [--no-controller-manager] | down [--purge] | status');
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
