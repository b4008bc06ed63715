import {
  CONTROLLER_NAME,
  FINALIZER,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  TENANT_LABEL,
  TENANTS_PATH,
  type Phase,
  type Tenant,
} from '../crd/types.js';
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/types.js';
import type { Logger } from '../log.js';
import type { OperatorMetrics } from '../metrics.js';
import { jsonEqual } from './conditions.js';
import type { TenantReconciler } from './tenant-reconciler.js';
import { Watcher, type EventType } from './watcher.js';
import { WorkQueue } from './work-queue.js';

/**
 * Wires the watches to the work queue and the queue to the reconciler: Tenants (every change
 * that is not just our own status write) and the objects the operator owns (a deleted or edited
 * Secret, Namespace, Role or RoleBinding brings its Tenant back to the queue), plus a periodic
 * resync of every Tenant.
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

/** The kinds the controller watches besides Tenants (its ClusterRole must let it list and watch each). */
export const OWNED = [
  { resource: 'namespaces', path: '/api/v1/namespaces' },
  { resource: 'secrets', path: '/api/v1/secrets' },
  { resource: 'roles', path: '/apis/rbac.authorization.k8s.io/v1/roles' },
  { resource: 'rolebindings', path: '/apis/rbac.authorization.k8s.io/v1/rolebindings' },
] as const;

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
  readonly owned: Array<Watcher<KubeObject>>;
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
        if (type === 'DELETED') return; // the finalizer saw to it before the object went
        if (type === 'MODIFIED' && !needsReconcile(obj, old)) return;
        this.queue.add(obj.metadata.name ?? '');
      },
    });
    this.owned = OWNED.map(
      ({ resource, path }) =>
        new Watcher<KubeObject>({
          ...common,
          path,
          resource,
          labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
          onEvent: (type, obj) => {
            // We create these objects, so ADDED is our own echo; edits and deletions by anyone
            // else are what must be put right.
            if (type === 'ADDED') return;
            const tenant = obj.metadata.labels?.[TENANT_LABEL];
            if (tenant && this.tenants.store.has(tenant)) this.queue.add(tenant);
          },
        }),
    );
  }

  get synced(): boolean {
    return this.tenants.synced && this.owned.every((w) => w.synced);
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
    await Promise.all([this.tenants.stop(), ...this.owned.map((w) => w.stop())]);
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
