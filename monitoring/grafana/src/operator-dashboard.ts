/* eslint-disable @typescript-eslint/no-deprecated -- the SDK prefers dashboardv2 (Grafana 12 schema v2); the classic
   JSON model is what file provisioning, the Grafana sidecar ConfigMaps and Grafana 10/11 load. */
// "findash operator": is the Tenant operator converging? Leadership and tenant phases first, then the
// reconcile loop and its work queue, then the process.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { findashDashboard } from './layout.js';
import { graph, single, states } from './panels.js';
import { processPanels } from './process-panels.js';

const JOB = 'findash-operator';
const ns = 'namespace="$namespace"';
const sel = 'namespace="$namespace", pod=~"$instance"';
/** Only the leader reconciles, so namespace-wide series from the recording rules are the operator's view. */
const controller = `${ns}, controller="tenant"`;

const leaderText = {
  '0': { text: 'standby', color: 'blue' },
  '1': { text: 'leader', color: 'green' },
} as const;

export function operatorDashboard(): dashboard.Dashboard {
  return findashDashboard({
    title: 'findash operator',
    uid: 'findash-operator',
    description:
      'findash Tenant operator: leadership, tenants by phase, reconcile loop, work queue and watches.',
    tags: ['findash', 'operator'],
    job: JOB,
    rows: [
      {
        title: 'Overview',
        panels: [
          single({
            title: 'Leader',
            description:
              'Replicas holding the findash-operator Lease. Alert FindashOperatorNoLeader fires when none has for 5 minutes.',
            queries: [
              {
                expr: `sum(leader_election_master_status{${ns}, name="findash-operator"})`,
                legend: 'leaders',
              },
            ],
            unit: 'short',
            decimals: 0,
            steps: [{ value: 1, color: 'green' }],
            valueText: { '0': { text: 'no leader', color: 'red' } },
          }),
          single({
            title: 'Tenants Ready',
            description: 'Tenants in phase Ready.',
            queries: [{ expr: `max(findash_operator_tenants{${ns}, phase="Ready"})`, legend: 'Ready' }],
            unit: 'short',
            decimals: 0,
          }),
          single({
            title: 'Tenants not Ready',
            description:
              'Tenants in Pending, Failed or Deleting (Suspended is deliberate). Alert FindashTenantNotReady fires when any stay for 15 minutes.',
            queries: [
              {
                expr: `sum(max by (phase) (findash_operator_tenants{${ns}, phase!~"Ready|Suspended"}))`,
                legend: 'not Ready',
              },
            ],
            unit: 'short',
            decimals: 0,
            steps: [{ value: 1, color: 'orange' }],
          }),
          single({
            title: 'Reconcile error ratio',
            description: 'Failed reconciles / all reconciles over 5 minutes.',
            queries: [
              {
                expr: `sum(findash_operator:reconcile_errors:ratio_rate5m{${controller}})`,
                legend: 'errors',
              },
            ],
            unit: 'percentunit',
            steps: [
              { value: 0.01, color: 'orange' },
              { value: 0.1, color: 'red' },
            ],
          }),
          single({
            title: 'Reconcile p95',
            description: '95th percentile reconcile duration over 5 minutes.',
            queries: [
              { expr: `sum(findash_operator:reconcile_time_seconds:p95_5m{${controller}})`, legend: 'p95' },
            ],
            unit: 's',
            steps: [
              { value: 0.5, color: 'orange' },
              { value: 2, color: 'red' },
            ],
          }),
          single({
            title: 'Queue depth',
            description: 'Tenant keys waiting for a worker.',
            queries: [{ expr: `sum(workqueue_depth{${sel}, name="tenant"})`, legend: 'depth' }],
            unit: 'short',
            decimals: 0,
            steps: [
              { value: 50, color: 'orange' },
              { value: 500, color: 'red' },
            ],
          }),
        ],
      },
      {
        title: 'Reconciles',
        panels: [
          graph({
            title: 'Reconcile rate by result',
            description: 'Reconciles per second by result (success, error, requeue, requeue_after).',
            queries: [
              {
                expr: `sum by (result) (findash_operator:reconcile:rate5m{${controller}})`,
                legend: '{{result}}',
              },
            ],
            unit: 'ops',
            stacked: true,
          }),
          graph({
            title: 'Reconcile errors',
            description:
              'Failed reconciles per second per pod. Alert FindashOperatorReconcileErrors fires when errors continue for 15 minutes.',
            queries: [
              {
                expr: `sum by (pod) (rate(controller_runtime_reconcile_errors_total{${sel}}[$__rate_interval]))`,
                legend: '{{pod}}',
              },
            ],
            unit: 'ops',
            min: 0,
          }),
          graph({
            title: 'Reconcile duration',
            description: '95th and 99th percentile reconcile duration over 5 minutes.',
            queries: [
              { expr: `findash_operator:reconcile_time_seconds:p95_5m{${controller}}`, legend: 'p95' },
              { expr: `findash_operator:reconcile_time_seconds:p99_5m{${controller}}`, legend: 'p99' },
            ],
            unit: 's',
            min: 0,
          }),
          graph({
            title: 'Workers',
            description: 'Workers busy reconciling against the worker pool size.',
            queries: [
              { expr: `sum by (pod) (controller_runtime_active_workers{${sel}})`, legend: 'busy {{pod}}' },
              { expr: `max(controller_runtime_max_concurrent_reconciles{${sel}})`, legend: 'max' },
            ],
            unit: 'short',
            min: 0,
          }),
        ],
      },
      {
        title: 'Work queue',
        panels: [
          graph({
            title: 'Queue depth',
            description: 'Keys waiting per pod; only the leader has work.',
            queries: [{ expr: `sum by (pod) (workqueue_depth{${sel}})`, legend: '{{pod}}' }],
            unit: 'short',
            min: 0,
            width: 6,
          }),
          graph({
            title: 'Adds and retries',
            description: 'Keys added per second, and rate-limited re-adds (retries with backoff).',
            queries: [
              { expr: `sum(rate(workqueue_adds_total{${sel}}[$__rate_interval]))`, legend: 'adds' },
              { expr: `sum(rate(workqueue_retries_total{${sel}}[$__rate_interval]))`, legend: 'retries' },
            ],
            unit: 'ops',
            width: 6,
          }),
          graph({
            title: 'Queue wait p95',
            description: '95th percentile time a key waits before a worker takes it.',
            queries: [
              {
                expr: `histogram_quantile(0.95, sum by (le) (rate(workqueue_queue_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
                legend: 'p95',
              },
            ],
            unit: 's',
            min: 0,
            width: 6,
          }),
          graph({
            title: 'Watch restarts',
            description: 'Watches restarted after an error or a silence, per resource.',
            queries: [
              {
                expr: `sum by (resource) (increase(findash_operator_watch_restarts_total{${sel}}[$__rate_interval]))`,
                legend: '{{resource}}',
              },
            ],
            unit: 'short',
            min: 0,
            width: 6,
          }),
        ],
      },
      {
        title: 'Tenants and leadership',
        panels: [
          graph({
            title: 'Tenants by phase',
            description: 'Tenants per phase as the operator last counted them.',
            queries: [{ expr: `max by (phase) (findash_operator_tenants{${ns}})`, legend: '{{phase}}' }],
            unit: 'short',
            min: 0,
            stacked: true,
          }),
          states({
            title: 'Leader by pod',
            description: 'Which replica holds the Lease over time (1 leader, 0 standby).',
            queries: [
              {
                expr: `max by (pod) (leader_election_master_status{${sel}, name="findash-operator"})`,
                legend: '{{pod}}',
              },
            ],
            unit: 'short',
            valueText: leaderText,
          }),
        ],
      },
      {
        title: 'Process',
        panels: [...processPanels(JOB)],
      },
    ],
  });
}
