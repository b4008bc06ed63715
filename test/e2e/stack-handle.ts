import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { kubectl } from '../harness/kube.js';
import { repoRoot } from '../harness/repo-root.js';
import { tsxLoader } from '../../tools/stack/child-process.js';
import { callControl } from '../../tools/stack/control.js';
import { stackPaths, type StackPaths } from '../../tools/stack/paths.js';
import { readState, type StackState } from '../../tools/stack/state.js';
import { HttpClient } from './http-client.js';

/**
 * The e2e run's view of a running stack: started and stopped through the same CLI a person
 * uses (`stack:up` / `stack:down`), then read from state.json and driven through the
 * supervisor's control API (faults, rollout).
 */
export function runStackCli(
  paths: StackPaths,
  args: string[],
  options: { quiet?: boolean } = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', tsxLoader(), path.join(repoRoot(), 'tools', 'stack', 'cli.ts'), ...args],
      {
        cwd: repoRoot(),
        env: { ...process.env, FINDASH_STACK_DIR: paths.dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const forward = (chunk: Buffer) => {
      output += chunk.toString();
      if (!options.quiet) process.stdout.write(chunk.toString().replace(/^/gm, '    '));
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

export class StackHandle {
  readonly lb: HttpClient;
  readonly ca: string;

  constructor(
    readonly paths: StackPaths,
    readonly state: Required<
      Pick<StackState, 'loadBalancer' | 'api' | 'control' | 'postgres' | 'rabbitmq' | 'kube' | 'demo'>
    > &
      StackState,
  ) {
    this.ca = readFileSync(state.loadBalancer.caFile, 'utf8');
    this.lb = new HttpClient(state.loadBalancer.url, { ca: this.ca, maxSockets: 32 });
  }

  static load(dir: string): StackHandle {
    const paths = stackPaths(dir);
    const state = readState(paths.stateFile);
    if (!state || state.phase !== 'ready') throw new Error(`no ready stack in ${paths.dir}`);
    for (const key of ['loadBalancer', 'api', 'control', 'postgres', 'rabbitmq', 'kube', 'demo'] as const) {
      if (!state[key]) throw new Error(`stack state has no ${key}`);
    }
    return new StackHandle(paths, state as StackHandle['state']);
  }

  get kube(): { kubeconfigPath: string } {
    return { kubeconfigPath: this.state.kube.kubeconfig };
  }

  kubectl(args: string[], input?: string): Promise<string> {
    return kubectl(this.kube, args, input);
  }

  control<T = unknown>(action: string, body: Record<string, unknown> = {}): Promise<T> {
    return callControl<T>(this.state.control, action, body);
  }

  async status(): Promise<StackState> {
    return this.control<StackState>('status');
  }

  /** A client straight to each API instance, bypassing the load balancer. */
  instanceClients(): Array<{ name: string; client: HttpClient }> {
    return this.state.api.map((a) => ({ name: a.name, client: new HttpClient(a.url) }));
  }

  /** Which instance logged each request id (the API logs every request with its request_id). */
  servedBy(requestIds: readonly string[]): Map<string, string> {
    const found = new Map<string, string>();
    for (const file of readdirSync(this.paths.logs).filter((f) => /^api-\d+\.log$/.test(f))) {
      const text = readFileSync(path.join(this.paths.logs, file), 'utf8');
      for (const id of requestIds) {
        if (!found.has(id) && text.includes(`"${id}"`)) found.set(id, file.replace(/\.log$/, ''));
      }
    }
    return found;
  }

  close(): void {
    this.lb.close();
  }
}
