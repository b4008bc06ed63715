import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

import { repoRoot } from '../harness/repo-root.js';

export interface ShellResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/**
 * Runs a command from the repo root; its output is appended to `log` (and echoed when `echo` is set), and
 * returned. Never throws for a non-zero exit: the caller decides what a failure means.
 */
export function sh(
  command: string,
  args: string[],
  options: { log: string; env?: NodeJS.ProcessEnv; echo?: boolean; timeoutMs?: number; input?: string },
): Promise<ShellResult> {
  const started = Date.now();
  appendFileSync(options.log, `\n$ ${command} ${args.join(' ')}\n`);
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: repoRoot(),
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = options.timeoutMs
      ? setTimeout(() => {
          stderr += `\n(killed after ${options.timeoutMs} ms)`;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      appendFileSync(options.log, chunk);
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      appendFileSync(options.log, chunk);
      if (options.echo) process.stdout.write(chunk);
    });
    child.stdin.end(options.input ?? '');
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${error.message}`, seconds: 0 });
    });
  });
}

/** The last lines of a command's output, for a FAIL line. */
export function lastLines(result: ShellResult, lines = 6): string {
  return `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-lines).join(' | ');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `everyMs` until it returns a value or `timeoutMs` passes (then undefined). */
export async function poll<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 2_000,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(everyMs);
  }
}
