import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A long-running process of the stack (API instance, operator, Prometheus, memcached...):
 * started in its own process group with stdout and stderr appended to a log file, so it can be
 * signalled as a unit and its output survives it. Killed with its group if the supervisor exits.
 */
export interface ManagedChild {
  readonly name: string;
  readonly pid: number;
  readonly log: string;
  readonly child: ChildProcess;
  /** Resolves with how it ended ("exited with code 0", "killed by SIGKILL"). */
  readonly exited: Promise<string>;
  running(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM (or `signal`), then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<string>;
}

export interface SpawnOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  readonly log: string;
}

const live = new Set<ManagedChild>();
let exitHookInstalled = false;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function spawnManaged(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): ManagedChild {
  const fd = openSync(options.log, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${name} (${command})`);
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(signal ? `killed by ${signal}` : `exited with code ${String(code)}`);
    });
    child.once('error', (error) => {
      done = true;
      resolve(`failed to start: ${error.message}`);
    });
  });
  const managed: ManagedChild = {
    name,
    pid,
    log: options.log,
    child,
    exited,
    running: () => !done,
    signal: (signal) => signalGroup(pid, signal),
    stop: async ({ signal = 'SIGTERM', graceMs = 10_000 } = {}) => {
      if (done) return exited;
      signalGroup(pid, signal);
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      const how = await exited;
      clearTimeout(timer);
      // Anything the process left in its group goes with it.
      signalGroup(pid, 'SIGKILL');
      return how;
    },
  };
  live.add(managed);
  void exited.then(() => live.delete(managed));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) signalGroup(c.pid, 'SIGKILL');
    });
  }
  return managed;
}

/** The tsx ESM loader of this repository, for `node --import <loader> file.ts` children. */
export function tsxLoader(): string {
  return import.meta.resolve('tsx');
}

/** Polls `probe` until true; fails early (with how it ended) if `child` exits first. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; child?: ManagedChild; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (options.child && !options.child.running()) {
      throw new Error(
        `${options.child.name} ${await options.child.exited} before ${what}; see ${options.child.log}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}`);
    await sleep(options.intervalMs ?? 100);
  }
}

/** GET `url` over plain HTTP; the status code, or 0 when nothing answered. */
export async function httpStatus(url: string, timeoutMs = 2000): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}
