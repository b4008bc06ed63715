import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Build } from './builds.js';
import { httpStatus, spawnManaged, tsxLoader, waitUntil, type ManagedChild } from './child-process.js';
import type { ApiInstanceState } from './state.js';

/**
 * The API instances behind the load balancer: real `node --import tsx app/server.ts` processes,
 * each on its own loopback port (kept across restarts, so Prometheus and nginx need no change
 * when an instance comes back), each with its log in logs/<name>.log.
 */
export interface ApiInstance {
  readonly name: string;
  readonly port: number;
  child: ManagedChild | undefined;
  build: Build;
  /** Set while the stack itself stops or kills the process, so its exit is not a crash. */
  stopping: boolean;
  /** Exits nobody asked for, each followed by an automatic restart (like a kubelet's). */
  readonly crashes: string[];
  restartTimer: NodeJS.Timeout | undefined;
}

export interface FleetOptions {
  readonly ports: readonly number[];
  readonly builds: Readonly<Record<string, Build>>;
  readonly env: Readonly<Record<string, string>>;
  readonly logs: string;
  /** Replaces the load balancer's upstream list (nginx reload). */
  readonly setUpstreams: (upstreams: readonly string[]) => void;
  readonly onChange: () => void;
  readonly log: (line: string) => void;
}

export interface RolloutStep {
  readonly instance: string;
  readonly from: string;
  readonly to: string;
  readonly stoppedHow: string;
  readonly ms: number;
}

const READY_TIMEOUT_MS = 90_000;
/** After nginx's reload, old workers may still hand this instance requests they accepted. */
const DRAIN_MS = 1_000;

export class ApiFleet {
  readonly instances: ApiInstance[];

  constructor(private readonly options: FleetOptions) {
    const current = options.builds.current;
    if (!current) throw new Error('no current build');
    this.instances = options.ports.map((port, i) => ({
      name: `api-${i + 1}`,
      port,
      child: undefined,
      build: current,
      stopping: false,
      crashes: [],
      restartTimer: undefined,
    }));
  }

  private closing = false;

  /**
   * An instance that exits without the stack asking (a crash, or a signal from outside) is
   * started again after a backoff, as a kubelet restarts a failed container; the crash is
   * recorded in the state so reports can show it.
   */
  private onExit(instance: ApiInstance, child: ManagedChild, how: string): void {
    this.options.onChange();
    if (instance.child !== child || this.closing) return;
    if (instance.stopping) {
      instance.stopping = false;
      return;
    }
    instance.crashes.push(`${new Date().toISOString()} ${how}`);
    const delay = Math.min(1000 * 2 ** Math.min(instance.crashes.length - 1, 5), 30_000);
    this.options.log(`${instance.name} exited unexpectedly (${how}); restarting in ${delay} ms`);
    instance.restartTimer = setTimeout(() => {
      instance.restartTimer = undefined;
      if (this.closing || instance.child?.running()) return;
      this.start(instance.name).then(
        () => this.options.log(`${instance.name} restarted (pid ${String(instance.child?.pid)})`),
        (error: unknown) => this.options.log(`${instance.name} restart failed: ${String(error)}`),
      );
    }, delay);
  }

  upstreams(instances: readonly ApiInstance[] = this.instances): string[] {
    return instances.map((i) => `127.0.0.1:${i.port}`);
  }

  get(name: string): ApiInstance {
    const instance = this.instances.find((i) => i.name === name);
    if (!instance)
      throw new Error(`no API instance ${name} (have ${this.instances.map((i) => i.name).join(', ')})`);
    return instance;
  }

  state(): ApiInstanceState[] {
    return this.instances.map((i) => ({
      name: i.name,
      url: `http://127.0.0.1:${i.port}`,
      port: i.port,
      pid: i.child?.running() ? i.child.pid : null,
      build: i.build.name,
      up: i.child?.running() ?? false,
      crashes: [...i.crashes],
    }));
  }

  /** Starts one instance on `build` and waits until /health/ready answers 200. */
  async start(name: string, buildName?: string): Promise<ApiInstance> {
    const instance = this.get(name);
    if (this.closing) throw new Error(`not starting ${name}: the stack is stopping`);
    if (instance.child?.running()) throw new Error(`${name} is already running (pid ${instance.child.pid})`);
    clearTimeout(instance.restartTimer);
    instance.restartTimer = undefined;
    instance.stopping = false;
    const build = buildName ? this.options.builds[buildName] : instance.build;
    if (!build)
      throw new Error(`no build ${buildName ?? ''} (have ${Object.keys(this.options.builds).join(', ')})`);
    // As the project runs it: the OpenTelemetry bootstrap (when the build has one) before the server.
    const telemetry = path.join(build.dir, 'app', 'telemetry.ts');
    const preload = existsSync(telemetry) ? ['--import', pathToFileURL(telemetry).href] : [];
    const child = spawnManaged(
      name,
      process.execPath,
      ['--import', tsxLoader(), ...preload, path.join(build.dir, 'app', 'server.ts')],
      {
        cwd: build.dir,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ...this.options.env,
          HOST: '127.0.0.1',
          PORT: String(instance.port),
          FINDASH_INSTANCE: name,
        },
        log: path.join(this.options.logs, `${name}.log`),
      },
    );
    instance.child = child;
    instance.build = build;
    this.options.onChange();
    void child.exited.then((how) => this.onExit(instance, child, how));
    await waitUntil(
      `${name} ready on port ${instance.port}`,
      async () => (await httpStatus(`http://127.0.0.1:${instance.port}/health/ready`)) === 200,
      {
        timeoutMs: READY_TIMEOUT_MS,
        child,
      },
    );
    return instance;
  }

  async startAll(): Promise<void> {
    await Promise.all(this.instances.map((i) => this.start(i.name)));
  }

  /** SIGKILL: the crash the fault test needs (no draining, in-flight requests are cut). */
  async kill(name: string): Promise<string> {
    const instance = this.get(name);
    clearTimeout(instance.restartTimer);
    if (!instance.child?.running()) return 'not running';
    instance.stopping = true;
    return instance.child.stop({ signal: 'SIGKILL', graceMs: 1000 });
  }

  /** Graceful stop: SIGTERM lets the server finish in-flight requests (SHUTDOWN_GRACE_MS). */
  async stop(name: string): Promise<string> {
    const instance = this.get(name);
    clearTimeout(instance.restartTimer);
    if (!instance.child?.running()) return 'not running';
    instance.stopping = true;
    return instance.child.stop({ signal: 'SIGTERM', graceMs: 15_000 });
  }

  async stopAll(): Promise<void> {
    this.closing = true;
    await Promise.all(this.instances.map((i) => this.stop(i.name)));
  }

  /**
   * Moves every instance to `buildName`, one at a time: take it out of the load balancer,
   * let in-flight requests drain, stop it gracefully, start it on the new build, wait for
   * readiness, put it back. The other instances serve all traffic meanwhile.
   */
  async rollout(buildName: string, log: (line: string) => void): Promise<RolloutStep[]> {
    if (!this.options.builds[buildName]) throw new Error(`no build ${buildName}`);
    const steps: RolloutStep[] = [];
    for (const instance of this.instances) {
      const started = Date.now();
      const from = instance.build.name;
      const others = this.instances.filter((i) => i !== instance && i.child?.running());
      if (others.length === 0) throw new Error(`cannot roll ${instance.name}: no other instance is serving`);
      this.options.setUpstreams(this.upstreams(others));
      let stoppedHow: string;
      try {
        await sleep(DRAIN_MS);
        stoppedHow = await this.stop(instance.name);
        await this.start(instance.name, buildName);
      } finally {
        // Back in rotation even when the new process failed: nginx skips a dead upstream.
        this.options.setUpstreams(this.upstreams());
      }
      const step = { instance: instance.name, from, to: buildName, stoppedHow, ms: Date.now() - started };
      log(`${step.instance}: ${from} -> ${buildName} (old process ${stoppedHow}, ${step.ms} ms)`);
      steps.push(step);
    }
    return steps;
  }
}
