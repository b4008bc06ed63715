import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Where the Kubernetes binaries are: built by ensure-tools.sh into ~/.cache/findash/bin (FINDASH_TOOLS_BIN),
// kubectl also from PATH or KUBECTL.

export interface KubeBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
}

export function toolsBinDir(): string {
  return process.env.FINDASH_TOOLS_BIN ?? path.join(os.homedir(), '.cache', 'findash', 'bin');
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Paths of the control-plane binaries; throws with the fix when they are not built yet.
 * kube-controller-manager is only checked when `controllerManager` is true.
 */
export function kubeBinaries(
  options: { controllerManager?: boolean; scheduler?: boolean } = {},
): KubeBinaries {
  const bin = toolsBinDir();
  const built = {
    etcd: path.join(bin, 'etcd'),
    kubeApiserver: path.join(bin, 'kube-apiserver'),
    kubeControllerManager: path.join(bin, 'kube-controller-manager'),
    kubeScheduler: path.join(bin, 'kube-scheduler'),
  };
  const needed = [
    built.etcd,
    built.kubeApiserver,
    ...(options.controllerManager ? [built.kubeControllerManager] : []),
    ...(options.scheduler ? [built.kubeScheduler] : []),
  ];
  const missing = needed.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `Kubernetes test binaries missing: ${missing.join(', ')}.\n` +
        'Run `npm run tools` (builds etcd, kube-apiserver and kube-controller-manager from Go modules ' +
        'into ~/.cache/findash/bin; the first build takes several minutes).',
    );
  }
  // kubectl: $KUBECTL, else the one on PATH, else the one ensure-tools.sh --node builds.
  const builtKubectl = path.join(bin, 'kubectl');
  const kubectl =
    process.env.KUBECTL ?? onPath('kubectl') ?? (existsSync(builtKubectl) ? builtKubectl : undefined);
  if (!kubectl) throw new Error('kubectl not found on PATH: install kubectl v1.32 (or set KUBECTL).');
  return { ...built, kubectl };
}
