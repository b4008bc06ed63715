import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import * as k8s from '@kubernetes/client-node';
import type { Knex } from 'knex';
import { parse as parseYaml } from 'yaml';

import { createKnex } from '../../app/db/knex.js';
import type { OperatorConfig } from '../../operator/config.js';
import { TENANTS_PATH, type Tenant, type TenantSpec } from '../../operator/crd/types.js';
import { KubeClient, type Impersonation } from '../../operator/kube/client.js';
import type { ObjectList } from '../../operator/kube/types.js';
import { createLogger, silentLogger } from '../../operator/log.js';
import { startOperator, type OperatorHandle } from '../../operator/operator.js';
import { startControlPlane, type ControlPlane } from '../harness/kube.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { repoRoot } from '../harness/repo-root.js';

/**
 * What the operator's integration tests share: a real kube-apiserver + etcd with the Tenant CRD
 * installed, a fresh migrated PostgreSQL 17 database, an admin client for assertions, and ways
 * to run the operator in this process or as separate `operator/main.ts` processes.
 */

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

let counter = 0;
/** A unique, valid Tenant name for this test file. */
export function tenantName(prefix = 't'): string {
  counter += 1;
  return `${prefix}-${process.pid % 10000}-${counter}`;
}

export function tenantObject(
  name: string,
  spec: Partial<TenantSpec> = {},
  annotations?: Record<string, string>,
) {
  return {
    apiVersion: 'findash.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: {
      type: 'organization',
      displayName: `Tenant ${name}`,
      baseCurrency: 'USD',
      owners: [{ kind: 'User', name: `owner-of-${name}` }],
      ...spec,
    },
  };
}

/** Creates or updates a Tenant the way `kubectl apply --server-side` would. */
export async function applyTenant(kube: KubeClient, obj: ReturnType<typeof tenantObject>): Promise<Tenant> {
  return kube.apply<Tenant>(`${TENANTS_PATH}/${obj.metadata.name}`, obj, 'test-user');
}

export async function getTenant(kube: KubeClient, name: string): Promise<Tenant | null> {
  return kube.getOrNull<Tenant>(`${TENANTS_PATH}/${name}`);
}

/** Waits until the Tenant's status describes its current generation and Ready has `status`. */
export async function waitForTenant(
  kube: KubeClient,
  name: string,
  check: (t: Tenant) => boolean = (t) => readyStatus(t) === 'True',
  timeoutMs = 20_000,
): Promise<Tenant> {
  const seen: { last: Tenant | null } = { last: null };
  try {
    return await waitFor(
      async () => {
        const t = await getTenant(kube, name);
        seen.last = t;
        return t && t.status?.observedGeneration === t.metadata.generation && check(t) ? t : null;
      },
      timeoutMs,
      `tenant ${name}`,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(seen.last?.status ?? null)}`);
  }
}

export function readyStatus(t: Tenant): string | undefined {
  return t.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

export function secretToken(secret: { data?: Record<string, string> }): string {
  return Buffer.from(secret.data?.token ?? '', 'base64').toString('utf8');
}
