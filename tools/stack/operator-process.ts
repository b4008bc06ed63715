import path from 'node:path';

import { repoRoot } from '../../test/harness/repo-root.js';
import { httpStatus, spawnManaged, tsxLoader, waitUntil, type ManagedChild } from './child-process.js';

/**
 * The Tenant operator as a real `node --import tsx operator/main.ts` process, on a fixed port
 * for its whole life in the stack (so Prometheus keeps scraping the same address after a
 * restart). Leader election stays on, as deployed; the identity is stable (like a StatefulSet
 * pod name), so a restarted operator takes its own lease back at once.
 */
export interface OperatorOptions {
  readonly port: number;
  readonly kubeconfig: string;
  readonly databaseUrl: string;
  readonly apiUrl: string;
  readonly log: string;
  readonly onChange: () => void;
  readonly report: (line: string) => void;
}

export class OperatorProcess {
  child: ManagedChild | undefined;
  /** Exits nobody asked for; each is followed by an automatic restart (as a Deployment would). */
  readonly crashes: string[] = [];
  private stopping = false;
  private closing = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: OperatorOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  running(): boolean {
    return this.child?.running() ?? false;
  }

  async start(): Promise<void> {
    if (this.running()) throw new Error(`the operator is already running (pid ${this.child?.pid ?? '?'})`);
    clearTimeout(this.restartTimer);
    this.stopping = false;
    const root = repoRoot();
    const child = spawnManaged(
      'operator',
      process.execPath,
      ['--import', tsxLoader(), path.join(root, 'operator', 'main.ts')],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          KUBECONFIG: this.options.kubeconfig,
          DATABASE_URL: this.options.databaseUrl,
          OPERATOR_PORT: String(this.options.port),
          OPERATOR_HOST: '127.0.0.1',
          LEADER_ELECTION: 'true',
          LEADER_ELECTION_NAMESPACE: 'findash-system',
          POD_NAME: 'findash-operator-0',
          FINDASH_API_URL: this.options.apiUrl,
          LOG_LEVEL: 'info',
        },
        log: this.options.log,
      },
    );
    this.child = child;
    this.options.onChange();
    void child.exited.then((how) => this.onExit(child, how));
    await waitUntil('operator healthy', async () => (await httpStatus(`${this.url}/healthz`)) === 200, {
      timeoutMs: 60_000,
      child,
    });
  }

  private onExit(child: ManagedChild, how: string): void {
    this.options.onChange();
    if (this.child !== child || this.closing) return;
    if (this.stopping) {
      this.stopping = false;
      return;
    }
    this.crashes.push(`${new Date().toISOString()} ${how}`);
    const delay = Math.min(1000 * 2 ** Math.min(this.crashes.length - 1, 5), 30_000);
    this.options.report(`operator exited unexpectedly (${how}); restarting in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      if (this.closing || this.running()) return;
      this.start().catch((error: unknown) =>
        this.options.report(`operator restart failed: ${String(error)}`),
      );
    }, delay);
  }

  /** SIGTERM drains reconciles and releases the lease; SIGKILL is the crash. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', options: { final?: boolean } = {}): Promise<string> {
    clearTimeout(this.restartTimer);
    if (options.final) this.closing = true;
    if (!this.child?.running()) return 'not running';
    this.stopping = true;
    return this.child.stop({ signal, graceMs: 25_000 });
  }
}
