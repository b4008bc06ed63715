import type { Knex } from 'knex';

import { createKnex } from '../app/db/knex.js';
import type { OperatorConfig } from './config.js';
import { CONTROLLER_NAME, TENANTS_PATH } from './crd/types.js';
import { TenantController } from './controller/tenant-controller.js';
import { TenantReconciler } from './controller/tenant-reconciler.js';
import { startHealthServer, type Check, type HealthServer } from './http/health-server.js';
import { KubeClient, type Impersonation } from './kube/client.js';
import { KubeApiError } from './kube/errors.js';
import { EventRecorder } from './kube/events.js';
import { loadKubeConfig } from './kube/kubeconfig.js';
import { LeaderElector } from './leader/lease.js';
import type { Logger } from './log.js';
import { createMetrics, type OperatorMetrics } from './metrics.js';
import { repoRoot } from './config.js';

// Assembles the operator: Kubernetes client, database pool, metrics and health endpoints,
// leader election, and the Tenant controller that runs only while this replica leads.
// main.ts calls it with the environment's configuration; tests and the benchmark call it
// in-process with their own.

/** What to tell a person when the Tenant API is not usable. */
function kubeProblem(err: unknown): string {
  if (err instanceof KubeApiError && err.code === 404) {
    return 'the Tenant CRD is not installed: kubectl apply -f charts/findash/crds/findash.io_tenants.yaml';
  }
  if (err instanceof KubeApiError && err.code === 403) {
    return `not allowed to list Tenants (${err.message}): bind the ClusterRole in operator/rbac/clusterrole.yaml`;
  }
  return String(err);
}

export interface OperatorHandle {
  readonly client: KubeClient;
  readonly db: Knex;
  readonly metrics: OperatorMetrics;
  readonly health: HealthServer;
  readonly isLeader: () => boolean;
  /** The running controller while leading, else undefined. */
  readonly controller: () => TenantController | undefined;
  /** Resolves when leadership is lost (the process should exit, as controller-runtime does). */
  readonly lostLeadership: Promise<void>;
  /** Stops everything; a leader releases its lease first so a standby takes over at once. */
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly logger: Logger;
  readonly impersonate?: Impersonation;
  readonly defaultMetrics?: boolean;
}

export async function startOperator(config: OperatorConfig, options: StartOptions): Promise<OperatorHandle> {
  const log = options.logger;
  const { kc, source } = loadKubeConfig(config.kubeconfig, repoRoot);
  const client = await KubeClient.create(kc, {
    requestTimeoutMs: config.kubeRequestTimeoutMs,
    impersonate: options.impersonate,
    userAgent: `findash-operator/${config.identity}`,
  });
  log.info('kubernetes configuration loaded', { source, server: client.server.origin });
  const db = createKnex({
    url: config.databaseUrl,
    poolMax: config.concurrency + 2,
    applicationName: 'findash-operator',
    statementTimeoutMs: 10_000,
  });
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics, leaseName: config.leaseName });
  const events = new EventRecorder({
    client,
    controller: 'findash.io/tenant-operator',
    instance: config.identity,
    logger: log,
  });
  let controller: TenantController | undefined;
  const reconciler = new TenantReconciler({
    client,
    db,
    events,
    logger: log,
    apiUrl: config.apiUrl,
    identity: { serviceAccount: config.serviceAccount, tenantNamespaceRole: config.tenantNamespaceRole },
    onNamespaceAccess: (_tenant, namespace) => controller?.watchNamespace(namespace),
    cache: () => controller?.cache,
  });

  const startController = (): void => {
    controller = new TenantController({
      client,
      reconciler,
      logger: log,
      metrics,
      concurrency: config.concurrency,
      resyncPeriodMs: config.resyncPeriodMs,
      watchTimeoutSeconds: config.watchTimeoutSeconds,
      watchIdleTimeoutMs: config.watchIdleTimeoutMs,
      backoffBaseMs: config.backoffBaseMs,
      backoffMaxMs: config.backoffMaxMs,
    });
    controller.start();
    metrics.leaderStatus.set({ name: config.leaseName }, 1);
    log.info('controller started', { controller: CONTROLLER_NAME, concurrency: config.concurrency });
  };
  const stopController = async (): Promise<void> => {
    metrics.leaderStatus.set({ name: config.leaseName }, 0);
    const c = controller;
    controller = undefined;
    await c?.stop();
  };

  let signalLost: () => void = () => undefined;
  const lostLeadership = new Promise<void>((resolve) => (signalLost = resolve));
  let stopping = false;

  let elector: LeaderElector | undefined;
  if (config.leaderElection) {
    elector = new LeaderElector({
      client,
      namespace: config.leaseNamespace,
      name: config.leaseName,
      identity: config.identity,
      leaseDurationMs: config.leaseDurationMs,
      logger: log,
      onStartedLeading: startController,
      onStoppedLeading: async () => {
        await stopController();
        if (!stopping) signalLost();
      },
      onNewLeader: (identity) => log.info('leader observed', { lease: config.leaseName, leader: identity }),
    });
  }

  // Readiness probes the dependencies at most every 5 s, so a busy prober costs nothing.
  let lastProbe: { at: number; checks: Record<string, Check> } | undefined;
  const probe = async (): Promise<Record<string, Check>> => {
    if (lastProbe && Date.now() - lastProbe.at < 5000) return lastProbe.checks;
    const checks: Record<string, Check> = {};
    await Promise.all([
      // Listing one Tenant proves the API server answers, the CRD is installed and we may read it.
      client.get(TENANTS_PATH, { limit: 1 }).then(
        () => (checks.kubernetes = { ok: true }),
        (err: unknown) => (checks.kubernetes = { ok: false, detail: kubeProblem(err) }),
      ),
      db.raw('select 1').then(
        () => (checks.database = { ok: true }),
        (err: unknown) => (checks.database = { ok: false, detail: String(err) }),
      ),
    ]);
    lastProbe = { at: Date.now(), checks };
    return checks;
  };

  const health = await startHealthServer({
    port: config.port,
    host: config.host,
    registry: metrics.registry,
    healthz: () => {
      const c = controller;
      // The cluster-wide watches only: a tenant namespace's watch that cannot list (its RoleBinding
      // deleted, say) backs off and is repaired by the next pass, and must not restart the operator.
      const silent = c ? Math.max(c.tenants.silenceMs, ...c.owned.map((w) => w.silenceMs)) : 0;
      // The watchdog restarts a silent watch long before this; failing here means it could not.
      const stuck = silent > config.watchIdleTimeoutMs * 3;
      return { watches: { ok: !stuck, detail: stuck ? `no watch data for ${silent} ms` : 'ok' } };
    },
    readyz: async () => {
      const checks = await probe();
      const c = controller;
      checks.leader = { ok: true, detail: c ? 'leading' : 'standby' };
      if (c) checks.cache = { ok: c.synced, detail: c.synced ? 'synced' : 'listing' };
      return checks;
    },
  });
  log.info('health server listening', { port: health.port });

  const initial = await probe();
  if (!initial.kubernetes?.ok) log.error('cannot list Tenants yet', { problem: initial.kubernetes?.detail });
  if (!initial.database?.ok)
    log.error('cannot reach the database yet', { problem: initial.database?.detail });

  if (elector) elector.start();
  else startController();

  return {
    client,
    db,
    metrics,
    health,
    isLeader: () => controller !== undefined,
    controller: () => controller,
    lostLeadership,
    stop: async () => {
      stopping = true;
      if (elector) await elector.stop();
      await stopController();
      await events.flush();
      await health.close();
      await db.destroy();
      client.close();
    },
  };
}
