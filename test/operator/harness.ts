import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import type { Knex } from 'knex';
import { parse as parseYaml } from 'yaml';

import { createKnex } from '../../app/db/knex.js';
import type { OperatorConfig } from '../../operator/config.js';
import { TENANTS_PATH, type Tenant } from '../../operator/crd/types.js';
import { KubeClient, type Impersonation } from '../../operator/kube/client.js';
import type { ObjectList } from '../../operator/kube/types.js';
import { createLogger, silentLogger } from '../../operator/log.js';
import { startOperator, type OperatorHandle } from '../../operator/operator.js';
import { startControlPlane, type ControlPlane } from '../harness/kube.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { repoRoot } from '../harness/repo-root.js';

// What the operator's integration tests share: a real kube-apiserver + etcd with the Tenant CRD
// installed, a fresh migrated PostgreSQL 17 database, an admin client for assertions, and ways
// to run the operator in this process or as separate `operator/main.ts` processes.

export const CRD_PATH = path.join(repoRoot(), 'charts', 'findash', 'crds', 'findash.io_tenants.yaml');

export interface OperatorTestEnv {
  readonly cp: ControlPlane;
  readonly db: TestDatabase;
  /** Owner connection for assertions (set app.platform to see across tenants). */
  readonly sql: Knex;
  /** Admin Kubernetes client for the test's own reads and writes. */
  readonly kube: KubeClient;
  config(overrides?: Partial<OperatorConfig>): OperatorConfig;
  startOperator(overrides?: Partial<OperatorConfig>, impersonate?: Impersonation): Promise<OperatorHandle>;
  spawnOperator(env: Record<string, string>, name: string): SpawnedOperator;
  stop(): Promise<void>;
}

export interface SpawnedOperator {
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  log(): string;
}

export async function startOperatorEnv(
  options: { withControllerManager?: boolean } = {},
): Promise<OperatorTestEnv> {
  const [cp, db] = await Promise.all([
    startControlPlaneWithRetry(options.withControllerManager ?? false),
    createTestDatabase(),
  ]);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const kube = await KubeClient.create(kc);
  await installCrd(kube);
  await kube.apply(
    '/api/v1/namespaces/findash-system',
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'findash-system' } },
    'test',
  );
  const sql = createKnex({ url: db.ownerUrl, poolMax: 4 });
  const children: SpawnedOperator[] = [];
  const operators: OperatorHandle[] = [];

  const config = (overrides: Partial<OperatorConfig> = {}): OperatorConfig => ({
    kubeconfig: cp.kubeconfigPath,
    databaseUrl: db.ownerUrl,
    port: 0,
    host: '127.0.0.1',
    concurrency: 4,
    resyncPeriodMs: 300_000,
    leaderElection: false,
    leaseNamespace: 'findash-system',
    leaseName: 'findash-operator',
    leaseDurationMs: 15_000,
    identity: `test-${process.pid}`,
    apiUrl: 'https://findash.test',
    watchTimeoutSeconds: 300,
    watchIdleTimeoutMs: 330_000,
    kubeRequestTimeoutMs: 30_000,
    backoffBaseMs: 100,
    backoffMaxMs: 5_000,
    logLevel: 'error',
    serviceAccount: { namespace: 'findash-system', name: 'findash-operator' },
    tenantNamespaceRole: 'findash-operator-tenant-namespace',
    ...overrides,
  });

  return {
    cp,
    db,
    sql,
    kube,
    config,
    async startOperator(overrides, impersonate) {
      const logger = process.env.OPERATOR_TEST_LOGS ? createLogger('debug') : silentLogger;
      const op = await startOperator(config(overrides), { logger, impersonate, defaultMetrics: false });
      operators.push(op);
      return op;
    },
    spawnOperator(env, name) {
      const logFile = path.join(cp.dir, `operator-${name}.log`);
      const out = createWriteStream(logFile, { flags: 'a' });
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(repoRoot(), 'operator', 'main.ts')],
        {
          cwd: repoRoot(),
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '/root',
            KUBECONFIG: cp.kubeconfigPath,
            DATABASE_URL: db.ownerUrl,
            OPERATOR_PORT: '0',
            OPERATOR_HOST: '127.0.0.1',
            LOG_LEVEL: 'debug',
            POD_NAME: name,
            ...env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.stdout.pipe(out);
      child.stderr.pipe(out);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const handle: SpawnedOperator = {
        child,
        logFile,
        exited,
        kill: (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        },
        log: () => readFileSync(logFile, 'utf8'),
      };
      children.push(handle);
      return handle;
    },
    async stop() {
      for (const c of children) c.kill('SIGKILL');
      await Promise.all(children.map((c) => c.exited));
      await Promise.all(operators.map((o) => o.stop().catch(() => undefined)));
      await sql.destroy();
      kube.close();
      await cp.stop();
      await db.drop();
    },
  };
}

export interface OperatorHarnessOptions {
  readonly withControllerManager?: boolean;
  /** Runs once the environment is up, before the operator starts (e.g. the RBAC it is to run with). */
  readonly prepare?: (env: OperatorTestEnv) => Promise<void>;
  /** Starts an operator in this process with these settings once the environment is up. */
  readonly operator?: Partial<OperatorConfig>;
  /** Whom that operator acts as (default: the admin). */
  readonly impersonate?: Impersonation;
}

/** The environment of a describe block, usable from its hooks and tests once operatorHarness's beforeAll ran. */
export interface OperatorHarness extends Omit<OperatorTestEnv, 'stop'> {
  /** The operator `options.operator` started. */
  readonly op: OperatorHandle;
  /** Runs `step` at the end, before the environment stops; the last added runs first. */
  onStop(step: () => Promise<void>): void;
}

/**
 * What every operator integration test file does first: start the environment (and an operator when asked) in
 * beforeAll, and stop whatever was started in afterAll, even when the start failed halfway.
 */
export function operatorHarness(options: OperatorHarnessOptions = {}): OperatorHarness {
  let env: OperatorTestEnv | undefined;
  let op: OperatorHandle | undefined;
  const cleanup: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    const started = await startOperatorEnv(options);
    env = started;
    cleanup.push(() => started.stop());
    await options.prepare?.(started);
    if (options.operator) op = await started.startOperator(options.operator, options.impersonate);
  }, 300_000);
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });
  const started = (): OperatorTestEnv => {
    if (!env) throw new Error('operatorHarness: the environment is not up (used outside a hook or test?)');
    return env;
  };
  return {
    get cp() {
      return started().cp;
    },
    get db() {
      return started().db;
    },
    get sql() {
      return started().sql;
    },
    get kube() {
      return started().kube;
    },
    get op() {
      if (!op) throw new Error('operatorHarness: no operator was started (pass `operator`)');
      return op;
    },
    config: (overrides) => started().config(overrides),
    startOperator: (overrides, impersonate) => started().startOperator(overrides, impersonate),
    spawnOperator: (vars, name) => started().spawnOperator(vars, name),
    onStop: (step) => {
      cleanup.push(step);
    },
  };
}

/**
 * Test files start control planes in parallel, and a loopback port picked as free can be taken
 * by a neighbour before etcd or the API server binds it; such a start is simply tried again.
 */
async function startControlPlaneWithRetry(withControllerManager: boolean): Promise<ControlPlane> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startControlPlane({ withControllerManager, timeoutMs: 120_000 });
    } catch (err) {
      lastError = err;
      process.stderr.write(
        `control plane start failed (attempt ${attempt + 1}): ${String(err).slice(0, 500)}\n`,
      );
    }
  }
  throw lastError;
}

async function installCrd(kube: KubeClient): Promise<void> {
  const crd = parseYaml(readFileSync(CRD_PATH, 'utf8')) as { metadata: { name: string } };
  await kube.apply(
    `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
    crd,
    'test',
  );
  // Established is not enough: the discovery and storage of a new CRD lag a moment behind it.
  await waitFor(async () => {
    try {
      await kube.get<ObjectList<Tenant>>(TENANTS_PATH);
      return true;
    } catch {
      return false;
    }
  }, 30_000);
}

export async function waitFor<T>(
  probe: () => Promise<T | false | undefined | null>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
