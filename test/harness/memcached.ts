import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

import { freePort, waitForPort } from './ports.js';

/**
 * A real memcached (Debian package) on a private loopback port. Starting takes milliseconds,
 * so every test file that needs one starts its own in beforeAll. The fault helpers act on the
 * process the way an outage would: stop (SIGTERM, data gone), kill (SIGKILL), pause/resume
 * (SIGSTOP/SIGCONT: the port stays open but nothing answers, i.e. "slow"), restart (same port).
 */
export interface MemcachedServer {
  /** "127.0.0.1:PORT", the MEMCACHED_SERVERS value. */
  readonly servers: string;
  readonly port: number;
  stop(): Promise<void>;
  kill(): Promise<void>;
  pause(): void;
  resume(): void;
  restart(): Promise<void>;
}

export async function startMemcached(): Promise<MemcachedServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;

  async function launch(): Promise<void> {
    const proc = spawn(
      'memcached',
      ['-p', String(port), '-l', '127.0.0.1', '-U', '0', '-u', 'nobody', '-m', '64'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const failed = once(proc, 'exit').then(([code]) => {
      throw new Error(`memcached exited with ${String(code)} before listening: ${stderr.trim()}`);
    });
    child = proc;
    await Promise.race([waitForPort(port, 10_000), failed]);
    failed.catch(() => undefined);
  }

  async function terminate(signal: NodeJS.Signals): Promise<void> {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGCONT');
    const exited = once(proc, 'exit');
    proc.kill(signal);
    await exited;
  }

  await launch();
  return {
    servers: `127.0.0.1:${port}`,
    port,
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
    pause: () => {
      child?.kill('SIGSTOP');
    },
    resume: () => {
      child?.kill('SIGCONT');
    },
    restart: async () => {
      await terminate('SIGTERM');
      await launch();
    },
  };
}
