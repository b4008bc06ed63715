import {
  CONTROLLER_NAME,
  FINALIZER,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  TENANT_LABEL,
  TENANTS_PATH,
  tenantNamespace,
  type Phase,
  type Tenant,
} from '../crd/types.js';
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/types.js';
import type { Logger } from '../log.js';
import type { OperatorMetrics } from '../metrics.js';
import { jsonEqual } from './conditions.js';
import { NamespaceWatches } from './namespace-watches.js';
import { WatchCache } from './watch-cache.js';
import type { TenantReconciler } from './tenant-reconciler.js';
import { Watcher, type EventType } from './watcher.js';
import { WorkQueue } from './work-queue.js';

/**
 * Wires the watches to the work queue and the queue to the reconciler: Tenants (every change
 * that is not just our own status write) and the objects the operator owns (a deleted or edited
 * Secret, Namespace, Role or RoleBinding brings its Tenant back to the queue), plus a periodic
 * resync of every Tenant. Tenants and their Namespaces are watched cluster-wide; Secrets, Roles
 * and RoleBindings only inside each tenant namespace (NamespaceWatches), where the operator's
 * own RoleBinding lets it look.
 */

export interface TenantControllerOptions {
  readonly client: KubeClient;
  readonly reconciler: TenantReconciler;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
  readonly concurrency: number;
  readonly resyncPeriodMs: number;
  readonly watchTimeoutSeconds: number;
  readonly watchIdleTimeoutMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

/**
 * What the controller list-watches across the cluster, besides Tenants: its ClusterRole must let
 * it list and watch each (rbac/clusterrole.yaml). Everything else it watches per tenant namespace
 * (NAMESPACE_WATCHES in namespace-watches.ts).
 */
export const CLUSTER_WATCHES = [{ resource: 'namespaces', path: '/api/v1/namespaces' }] as const;

/** True when a Tenant update is more than a status write (ours) or a resourceVersion bump. */
export function needsReconcile(next: Tenant, old: Tenant | undefined): boolean {
  if (!old) return true;
  const m = next.metadata;
  const o = old.metadata;
  return (
    m.generation !== o.generation ||
    m.deletionTimestamp !== o.deletionTimestamp ||
    m.uid !== o.uid ||
    !sameFinalizersButOurs(m.finalizers ?? [], o.finalizers ?? []) ||
    !jsonEqual(m.annotations ?? {}, o.annotations ?? {}) ||
    !jsonEqual(next.spec, old.spec)
  );
}

/**
 * Finalizer lists equal, or differing only by our finalizer being added — which our own
 * reconcile just did and is still acting on, so that echo needs no second pass.
 */
function sameFinalizersButOurs(next: readonly string[], old: readonly string[]): boolean {
  if (jsonEqual(next, old)) return true;
  return jsonEqual(
    next.filter((f) => f !== FINALIZER),
    old,
  );
}

export class TenantController {
  readonly queue: WorkQueue;
  readonly tenants: Watcher<Tenant>;
  /** Cluster-wide watches of owned objects (the tenant Namespaces). */
  readonly owned: Array<Watcher<KubeObject>>;
  /** Watches of the Secrets, Roles and RoleBindings in each tenant namespace. */
  readonly inNamespaces: NamespaceWatches;
  /** What the reconciler reads instead of asking the API server, where these watches can answer. */
  readonly cache: WatchCache;
  private resyncTimer: NodeJS.Timeout | undefined;
  private phaseTimer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly options: TenantControllerOptions) {
    const log = options.logger;
    this.queue = new WorkQueue((key) => options.reconciler.reconcile(key), {
      name: CONTROLLER_NAME,
      concurrency: options.concurrency,
      backoffBaseMs: options.backoffBaseMs,
      backoffMaxMs: options.backoffMaxMs,
      metrics: options.metrics,
      onError: (key, err, retryInMs) => {
        log.warn('reconcile failed', { tenant: key, err, retryInMs });
      },
    });
    const common = {
      client: options.client,
      timeoutSeconds: options.watchTimeoutSeconds,
      idleTimeoutMs: options.watchIdleTimeoutMs,
      logger: log,
      metrics: options.metrics,
    };
    this.tenants = new Watcher<Tenant>({
      ...common,
      path: TENANTS_PATH,
      resource: 'tenants',
      onEvent: (type: EventType, obj: Tenant, old: Tenant | undefined) => {
        this.schedulePhaseCount();
        if (type === 'DELETED') {
          // The finalizer saw to it before the object went; its namespace needs no more watching.
          void this.inNamespaces.release(tenantNamespace(obj.metadata.name ?? ''));
          return;
        }
        if (type === 'MODIFIED' && !needsReconcile(obj, old)) return;
        this.queue.add(obj.metadata.name ?? '');
      },
    });
    const managed = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
    const onOwnedEvent = (type: EventType, obj: KubeObject): void => {
      // We create these objects, so ADDED is our own echo; edits and deletions by anyone
      // else are what must be put right.
      if (type === 'ADDED') return;
      const tenant = obj.metadata.labels?.[TENANT_LABEL];
      if (tenant && this.tenants.store.has(tenant)) this.queue.add(tenant);
    };
    this.owned = CLUSTER_WATCHES.map(
      ({ resource, path }) =>
        new Watcher<KubeObject>({
          ...common,
          path,
          resource,
          labelSelector: managed,
          onEvent: (type, obj) => {
            // A namespace gone (or no longer ours) takes its watches with it; a pass that puts it
            // back starts them again.
            if (type === 'DELETED') void this.inNamespaces.release(obj.metadata.name ?? '');
            onOwnedEvent(type, obj);
          },
        }),
    );
    this.inNamespaces = new NamespaceWatches({ ...common, labelSelector: managed, onEvent: onOwnedEvent });
    // owned[0] is the Namespaces watch, the only one in CLUSTER_WATCHES.
    this.cache = new WatchCache({
      tenants: this.tenants,
      namespaces: this.owned[0],
      inNamespaces: this.inNamespaces,
    });
  }

  /** The cluster-wide caches are filled (per-namespace watches are not waited for: a broken tenant must not hold up the rest). */
  get synced(): boolean {
    return this.tenants.synced && this.owned.every((w) => w.synced);
  }

  /** The reconciler may now work in `namespace`: watch what it owns there. */
  watchNamespace(namespace: string): void {
    if (this.started) this.inNamespaces.ensure(namespace);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.tenants.start();
    for (const w of this.owned) w.start();
    this.queue.start();
    this.resyncTimer = setInterval(() => {
      for (const name of this.tenants.store.keys()) this.queue.add(name);
    }, this.options.resyncPeriodMs);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    clearInterval(this.resyncTimer);
    clearTimeout(this.phaseTimer);
    await Promise.all([this.tenants.stop(), ...this.owned.map((w) => w.stop()), this.inNamespaces.stop()]);
    await this.queue.shutdown();
  }

  /** Recounts tenants by phase at most once a second (a relist fires hundreds of events). */
  private schedulePhaseCount(): void {
    if (this.phaseTimer) return;
    this.phaseTimer = setTimeout(() => {
      this.phaseTimer = undefined;
      const counts = new Map<Phase, number>();
      for (const t of this.tenants.store.values()) {
        const phase: Phase = t.metadata.deletionTimestamp ? 'Deleting' : (t.status?.phase ?? 'Pending');
        counts.set(phase, (counts.get(phase) ?? 0) + 1);
      }
      this.options.metrics.setTenantPhases(counts);
    }, 1000);
    this.phaseTimer.unref();
  }
}
