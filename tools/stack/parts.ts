import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { ControlPlane } from '../../test/harness/kube.js';
import type { LoadBalancer } from '../../test/harness/nginx.js';
import type { ApiFleet } from './api-fleet.js';
import type { StackMemcached, StackRabbitMQ } from './brokers.js';
import type { Build } from './builds.js';
import type { ControlServer } from './control.js';
import { log, step } from './log.js';
import type { OperatorProcess } from './operator-process.js';
import type { StackPostgres } from './postgres.js';
import type { StackPrometheus } from './prometheus.js';
import { argv0Of, type TrackedProcess } from './state.js';

/** What the supervisor runs, each part set once it has started. */
export interface Parts {
  control?: ControlServer;
  postgres?: StackPostgres;
  memcached?: StackMemcached;
  rabbitmq?: StackRabbitMQ;
  kube?: ControlPlane;
  builds?: Record<string, Build>;
  fleet?: ApiFleet;
  operator?: OperatorProcess;
  nginx?: LoadBalancer;
  prometheus?: StackPrometheus;
}

/** Stops everything that was started, newest first; never throws. */
export async function stopParts(parts: Parts): Promise<void> {
  const attempt = async (what: string, work: (() => Promise<unknown>) | undefined) => {
    if (!work) return;
    try {
      await step(`stopping ${what}`, work);
    } catch (error) {
      log(`stopping ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await attempt('Prometheus', parts.prometheus && (() => parts.prometheus!.stop()));
  await attempt('nginx', parts.nginx && (() => parts.nginx!.stop()));
  await attempt('the operator', parts.operator && (() => parts.operator!.stop('SIGTERM', { final: true })));
  await attempt('the API instances', parts.fleet && (() => parts.fleet!.stopAll()));
  await attempt('RabbitMQ', parts.rabbitmq && (() => parts.rabbitmq!.stop()));
  await attempt('Memcached', parts.memcached && (() => parts.memcached!.stop()));
  await attempt('the Kubernetes control plane', parts.kube && (() => parts.kube!.stop()));
  await attempt('PostgreSQL', parts.postgres && (() => parts.postgres!.server.stop()));
  await attempt('the control API', parts.control && (() => parts.control!.close()));
}

function track(name: string, pid: number | undefined, group: boolean): TrackedProcess[] {
  if (!pid) return [];
  const argv0 = argv0Of(pid);
  return argv0 ? [{ name, pid, group, argv0 }] : [];
}

/** Every process of the parts that runs now (the supervisor first), so `stack:down` can prove it stopped. */
export function trackedProcesses(parts: Parts, dataDir: string): TrackedProcess[] {
  return [
    ...track('supervisor', process.pid, false),
    ...track('postgres', parts.postgres?.postmasterPid(), false),
    ...(parts.memcached?.pids() ?? []).flatMap((pid) => track('memcached', pid, false)),
    ...(parts.rabbitmq?.pids() ?? []).flatMap((pid) => track('rabbitmq', pid, false)),
    ...(parts.kube?.processes ?? []).flatMap((p) => track(p.name, p.pid, true)),
    ...(parts.fleet?.instances ?? []).flatMap((i) =>
      i.child?.running() ? track(i.name, i.child.pid, true) : [],
    ),
    ...(parts.operator?.child?.running() ? track('operator', parts.operator.child.pid, true) : []),
    ...track('nginx', nginxPid(parts, dataDir), false),
    ...(parts.prometheus?.child.running() ? track('prometheus', parts.prometheus.child.pid, true) : []),
  ];
}

function nginxPid(parts: Parts, dataDir: string): number | undefined {
  if (!parts.nginx) return undefined;
  try {
    return Number(readFileSync(path.join(dataDir, 'nginx', 'nginx.pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}
