import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { repoRoot } from '../../test/harness/repo-root.js';

const run = promisify(execFile);

/**
 * Load generators run as separate processes so they do not share the server's event loop:
 * autocannon (its CLI, JSON output) and Apache ab.
 */
export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export async function autocannon(
  url: string,
  options: { connections: number; seconds: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const args = [
    path.join(repoRoot(), 'node_modules', 'autocannon', 'autocannon.js'),
    '-c',
    String(options.connections),
    '-d',
    String(options.seconds),
    '-j',
    '-n',
  ];
  for (const [key, value] of Object.entries(options.headers ?? {})) args.push('-H', `${key}=${value}`);
  args.push(url);
  const { stdout } = await run(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 });
  const json = JSON.parse(stdout) as AutocannonJson;
  return {
    requestsPerSecond: json.requests.average,
    p50: json.latency.p50,
    p99: json.latency.p99,
    mean: json.latency.average,
    requests: json.requests.total,
    non2xx: json.non2xx,
    errors: json.errors + json.timeouts,
  };
}

export interface AbResult {
  readonly meanMs: number;
  readonly meanAcrossMs: number;
  readonly requestsPerSecond: number;
  readonly failed: number;
  readonly non2xx: number;
}

export async function apacheBench(
  url: string,
  options: { requests: number; concurrency: number; headers?: Record<string, string> },
): Promise<AbResult> {
  const args = ['-q', '-n', String(options.requests), '-c', String(options.concurrency)];
  for (const [key, value] of Object.entries(options.headers ?? {})) args.push('-H', `${key}: ${value}`);
  args.push(url);
  const { stdout } = await run('ab', args, { maxBuffer: 16 * 1024 * 1024 });
  const number = (pattern: RegExp): number => Number(pattern.exec(stdout)?.[1] ?? 'NaN');
  return {
    meanMs: number(/Time per request:\s+([\d.]+) \[ms\] \(mean\)/),
    meanAcrossMs: number(/Time per request:\s+([\d.]+) \[ms\] \(mean, across/),
    requestsPerSecond: number(/Requests per second:\s+([\d.]+)/),
    failed: number(/Failed requests:\s+(\d+)/),
    non2xx: /Non-2xx responses:\s+(\d+)/.test(stdout) ? number(/Non-2xx responses:\s+(\d+)/) : 0,
  };
}

/** Is wrk (the C load generator) installed? test/provision.sh installs it. */
export async function hasWrk(): Promise<boolean> {
  try {
    await run('wrk', ['--version']);
    return true;
  } catch (error) {
    // wrk --version prints its banner and exits 1.
    return (error as { code?: unknown }).code === 1;
  }
}

/**
 * wrk with one thread: it reads responses without decoding them, so a load generator sharing
 * this machine's two cores with the server costs the server little, whatever the body (autocannon
 * decodes every body into a string: a gzip body costs it more than the server's whole answer).
 */
export async function wrk(
  url: string,
  options: { connections: number; seconds: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency'];
  for (const [key, value] of Object.entries(options.headers ?? {})) args.push('-H', `${key}: ${value}`);
  args.push(url);
  const { stdout } = await run('wrk', args, { maxBuffer: 16 * 1024 * 1024 });
  const ms = (text: string | undefined): number => {
    const match = /^([\d.]+)(us|ms|s)$/.exec(text ?? '');
    if (!match) return NaN;
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  const percentile = (p: number): number => ms(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(stdout)?.[1]);
  const requests = Number(/^\s*(\d+) requests in/m.exec(stdout)?.[1] ?? NaN);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN),
    p50: percentile(50),
    p99: percentile(99),
    mean: ms(/Latency\s+(\S+)/.exec(stdout)?.[1]),
    requests,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
    errors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}
