import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';

/** A control-plane process, running in its own process group (its pid is the group id). */
export interface ManagedProcess {
  name: string;
  pid: number;
  /** The executable, so a later `stop` can tell our process from a recycled pid. */
  binary: string;
  log: string;
}

export interface StartedProcess extends ManagedProcess {
  child: ChildProcess;
  /** Resolves with the exit description once the process has exited. */
  exited: Promise<string>;
}

/**
 * Starts `binary` detached (setsid: a new session and process group) with stdout and stderr
 * appended to `log`. `keepAlive` lets the process outlive this Node process (cluster:up);
 * otherwise it is killed when this process exits, so a crashed test run leaves nothing behind.
 */
export function startProcess(
  name: string,
  binary: string,
  args: string[],
  log: string,
  options: { keepAlive?: boolean } = {},
): StartedProcess {
  const fd = openSync(log, 'a');
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(signal ? `killed by ${signal}` : `exited with code ${String(code)}`);
    });
    child.once('error', (error) => {
      resolve(`failed to start: ${error.message}`);
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${name} (${binary})`);
  if (options.keepAlive) {
    child.unref();
  } else {
    const killOnExit = () => signalGroup(pid, 'SIGKILL');
    process.once('exit', killOnExit);
    void exited.then(() => process.off('exit', killOnExit));
  }
  return { name, pid, binary, log, child, exited };
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * True while any non-zombie process of the group exists. Zombies are ignored: once the
 * starting CLI has exited, the processes are reparented to whatever PID 1 is, and not every
 * PID 1 reaps promptly.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp ...": comm may contain spaces, so parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

/** True if `pid` runs `binary` (guards against signalling a recycled pid from a stale state file). */
export function runs(pid: number, binary: string): boolean {
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return argv0 === binary;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM the whole process group, wait for it to empty, SIGKILL whatever is left after
 * `graceMs`. Resolves only when no process of the group remains.
 */
export async function stopGroup(pgid: number, graceMs = 10_000): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) {
      signalGroup(pgid, 'SIGKILL');
      const hardDeadline = Date.now() + 5_000;
      while (groupAlive(pgid) && Date.now() < hardDeadline) await sleep(50);
      if (groupAlive(pgid)) throw new Error(`process group ${pgid} survived SIGKILL`);
      return;
    }
    await sleep(50);
  }
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
