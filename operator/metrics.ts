import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import { CONTROLLER_NAME, PHASES, type Phase } from './crd/types.js';

/**
 * The operator's Prometheus metrics, in their own Registry. Names follow controller-runtime and
 * client-go's workqueue so dashboards written for Go operators read them unchanged; they are the
 * contract in monitoring/METRICS.md. Labels are bounded: no tenant names.
 */
export interface OperatorMetrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly maxConcurrentReconciles: Gauge<'controller'>;
  readonly queueDepth: Gauge<'name'>;
  readonly queueAdds: Counter<'name'>;
  readonly queueRetries: Counter<'name'>;
  readonly queueDuration: Histogram<'name'>;
  readonly leaderStatus: Gauge<'name'>;
  readonly tenants: Gauge<'phase'>;
  readonly watchRestarts: Counter<'resource'>;
  /** Replaces the per-phase tenant counts. */
  setTenantPhases(counts: ReadonlyMap<Phase, number>): void;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(
  options: { defaultMetrics?: boolean; leaseName?: string } = {},
): OperatorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const reconcileTotal = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller and result',
    labelNames: ['controller', 'result'] as const,
    registers,
  });
  const reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'] as const,
    registers,
  });
  const reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const activeWorkers = new Gauge({
    name: 'controller_runtime_active_workers',
    help: 'Number of currently used workers per controller',
    labelNames: ['controller'] as const,
    registers,
  });
  const maxConcurrentReconciles = new Gauge({
    name: 'controller_runtime_max_concurrent_reconciles',
    help: 'Maximum number of concurrent reconciles per controller',
    labelNames: ['controller'] as const,
    registers,
  });
  const queueDepth = new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue',
    labelNames: ['name'] as const,
    registers,
  });
  const queueAdds = new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue',
    labelNames: ['name'] as const,
    registers,
  });
  const queueRetries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue',
    labelNames: ['name'] as const,
    registers,
  });
  const queueDuration = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested',
    labelNames: ['name'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60],
    registers,
  });
  const leaderStatus = new Gauge({
    name: 'leader_election_master_status',
    help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
    labelNames: ['name'] as const,
    registers,
  });
  const tenants = new Gauge({
    name: 'findash_operator_tenants',
    help: 'Tenants by status.phase, as last observed by this operator',
    labelNames: ['phase'] as const,
    registers,
  });
  const watchRestarts = new Counter({
    name: 'findash_operator_watch_restarts_total',
    help: 'Watches restarted after an error, a 410 Gone, or silence',
    labelNames: ['resource'] as const,
    registers,
  });

  // Series exist from the start, so dashboards and absent() alerts see zeros, not gaps.
  maxConcurrentReconciles.set({ controller: CONTROLLER_NAME }, 0);
  activeWorkers.set({ controller: CONTROLLER_NAME }, 0);
  reconcileErrors.inc({ controller: CONTROLLER_NAME }, 0);
  for (const result of ['success', 'error', 'requeue', 'requeue_after']) {
    reconcileTotal.inc({ controller: CONTROLLER_NAME, result }, 0);
  }
  queueDepth.set({ name: CONTROLLER_NAME }, 0);
  queueAdds.inc({ name: CONTROLLER_NAME }, 0);
  queueRetries.inc({ name: CONTROLLER_NAME }, 0);
  leaderStatus.set({ name: options.leaseName ?? 'findash-operator' }, 0);
  for (const phase of PHASES) tenants.set({ phase }, 0);

  return {
    registry,
    reconcileTotal,
    reconcileErrors,
    reconcileTime,
    activeWorkers,
    maxConcurrentReconciles,
    queueDepth,
    queueAdds,
    queueRetries,
    queueDuration,
    leaderStatus,
    tenants,
    watchRestarts,
    setTenantPhases(counts) {
      for (const phase of PHASES) tenants.set({ phase }, counts.get(phase) ?? 0);
    },
  };
}
