import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { repoRoot } from '../harness/repo-root.js';

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
