import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { StackPaths } from './paths.js';
import type { StackState } from './state.js';

/** The last lines of a log file, or "(no log)". */
export function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A path relative to the working directory when it is inside it. */
export function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r.startsWith('..') ? file : r;
}

/** What `stack:up` and `stack:status` print: where each part listens, the kubeconfig and a working token. */
export function describeStack(state: StackState, paths: StackPaths): string {
  const lb = state.loadBalancer;
  const lines = [
    `  Load balancer   ${lb?.url ?? '-'}  (nginx, TLS; CA certificate ${lb ? rel(lb.caFile) : '-'})`,
    ...(state.api ?? []).map(
      (a) =>
        `  API ${a.name.padEnd(11)} ${a.url}  (${a.up ? `pid ${String(a.pid)}` : 'DOWN'}, build ${a.build})`,
    ),
    `  Operator        ${state.operator?.url ?? '-'}  (/metrics /healthz /readyz; ${state.operator?.up ? `pid ${String(state.operator.pid)}` : 'DOWN'})`,
    `  Prometheus      ${state.prometheusUrl ?? '-'}`,
    `  RabbitMQ        ${state.rabbitmq?.amqpUrl ?? '-'}${state.rabbitmq?.managementUrl ? `  (management ${state.rabbitmq.managementUrl})` : ''}`,
    `  Memcached       ${state.memcached?.servers ?? '-'}${state.memcached && !state.memcached.up ? ' (STOPPED)' : ''}`,
    `  PostgreSQL 17   ${state.postgres?.ownerUrl ?? '-'}  (schema owner; the API connects as findash_app)`,
    `  Kubernetes      ${state.kube?.server ?? '-'}`,
    `  Logs            ${rel(paths.logs)}/`,
    '',
    `  export KUBECONFIG=${state.kube?.kubeconfig ?? path.join(paths.dir, 'kubeconfig')}`,
    '  kubectl get tenants',
  ];
  if (state.demo && lb) {
    lines.push(
      '',
      `  Bearer token (Tenant ${state.demo.tenant}, API client ${state.demo.client}, role admin; also in ${rel(state.demo.tokenFile)}):`,
      `  ${state.demo.token}`,
      '',
      `  curl --cacert ${rel(lb.caFile)} -H "Authorization: Bearer $(cat ${rel(state.demo.tokenFile)})" ${lb.url}/financial/dashboard`,
    );
    if (!state.demo.check.startsWith('200')) {
      lines.push('', `  WARNING: the API refused this token at start-up: ${state.demo.check}`);
    }
  }
  return lines.join('\n');
}
