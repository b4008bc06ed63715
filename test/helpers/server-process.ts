import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

import { freePort, waitForPort } from '../harness/ports.js';
import { repoRoot } from '../harness/repo-root.js';

/**
 * The real server (app/server.ts) as a child process, the way the container runs it, loaded
 * through tsx and, optionally, with the OpenTelemetry bootstrap imported first (--import).
 * stdout lines (pino JSON) are collected for assertions.
 */
export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Parsed JSON log lines. */
  logs(): Array<Record<string, unknown>>;
  /** Sends a signal; resolves with the exit code (or signal name) once the process is gone. */
  signal(signal: NodeJS.Signals): Promise<number | string>;
  readonly exited: Promise<number | string>;
}

export async function startServerProcess(options: {
  env: Record<string, string>;
  telemetry?: boolean;
}): Promise<ServerProcess> {
  const port = await freePort();
  const root = repoRoot();
  const args = ['--import', 'tsx'];
  if (options.telemetry) args.push('--import', path.join(root, 'app', 'telemetry.ts'));
  args.push(path.join(root, 'app', 'server.ts'));
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FINDASH_ENV: 'testing',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  const collect = (chunk: Buffer): void => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? String(signal)) as number | string);
  await Promise.race([
    waitForPort(port, 60_000),
    exited.then((code) => {
      throw new Error(`server exited (${code}) before listening:\n${lines.join('\n')}`);
    }),
  ]);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    lines,
    exited,
    logs: () =>
      lines.flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    signal: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
