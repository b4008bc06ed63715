import { existsSync, readFileSync } from 'node:fs';
import { chmod, rename, writeFile } from 'node:fs/promises';

/**
 * state.json: what `stack:up` prints, what the CLI and the e2e run read, and the pids
 * `stack:down` checks. Written by the supervisor only (atomically, mode 0600: it holds tokens
 * and database passwords).
 */

export type StackPhase = 'starting' | 'ready' | 'failed' | 'stopping' | 'stopped';

/** A process the stack started, so `stack:down` can prove nothing is left running. */
export interface TrackedProcess {
  readonly name: string;
  readonly pid: number;
  /** Signal the whole process group (the process was started with setsid). */
  readonly group: boolean;
  /** First argument of /proc/<pid>/cmdline, to tell our process from a recycled pid. */
  readonly argv0: string;
}

export interface ApiInstanceState {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number | null;
  /** Which build it runs: `current` (the working tree) or `previous` (see builds.ts). */
  readonly build: string;
  readonly up: boolean;
  /** Unexpected exits (each followed by an automatic restart). */
  readonly crashes: readonly string[];
}

export interface StackState {
  phase: StackPhase;
  error?: string;
  supervisorPid: number;
  startedAt: string;
  readyAt?: string;
  /** Loopback HTTP control API of the supervisor (faults, rollout, shutdown). */
  control?: { url: string; token: string };
  loadBalancer?: { url: string; caFile: string; port: number };
  prometheusUrl?: string;
  operator?: { url: string; pid: number | null; up: boolean; crashes: readonly string[] };
  api?: ApiInstanceState[];
  postgres?: { ownerUrl: string; appUrl: string; superuserUrl: string; port: number };
  memcached?: { servers: string; up: boolean };
  rabbitmq?: { amqpUrl: string; managementUrl?: string };
  kube?: { server: string; kubeconfig: string };
  /** `check`: the status line of one dashboard request with the token through the load balancer. */
  demo?: { tenant: string; client: string; token: string; tokenFile: string; check: string };
  builds?: Record<string, { dir: string; description: string }>;
  adminToken?: string;
  logs?: string;
  processes: TrackedProcess[];
}

export function readState(file: string): StackState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StackState;
  } catch {
    // Read while being replaced: the rename is atomic, so the next read succeeds.
    return undefined;
  }
}

export async function writeState(file: string, state: StackState): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/** True if `pid` is alive and still runs `argv0` (not a recycled pid). */
export function processRuns(pid: number, argv0: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    if (cmdline !== argv0) return false;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export function argv0Of(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
  } catch {
    return '';
  }
}
