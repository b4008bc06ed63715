import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { resolveOwnerUrl } from '../app/db/resolve-url.js';

/** Operator settings, all from the environment (each variable and its default: operator/README.md). */
export interface OperatorConfig {
  readonly kubeconfig: string | undefined;
  readonly databaseUrl: string;
  readonly port: number;
  readonly host: string;
  readonly concurrency: number;
  readonly resyncPeriodMs: number;
  readonly leaderElection: boolean;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly leaseDurationMs: number;
  readonly identity: string;
  /** Written into each credentials Secret (key `apiUrl`) when set. */
  readonly apiUrl: string | undefined;
  /** A watch with no bytes for this long is presumed dead and restarted. */
  readonly watchIdleTimeoutMs: number;
  /** Server-side timeout asked for each watch request; the watch is reopened after it. */
  readonly watchTimeoutSeconds: number;
  /** Timeout of one (non-watch) request to the Kubernetes API. */
  readonly kubeRequestTimeoutMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /**
   * The ServiceAccount the operator runs as. In each tenant namespace it binds
   * `tenantNamespaceRole` to this account before touching anything there (see rbac/).
   */
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  /** The ClusterRole holding what the operator may do inside a tenant namespace. */
  readonly tenantNamespaceRole: string;
}

/** The directory holding package.json above this file (works from operator/ and dist/operator/). */
function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export const repoRoot = findRepoRoot();

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name} must be a number >= ${min}, got "${raw}"`);
  return value;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const leaseDurationSeconds = int(env, 'LEASE_DURATION_SECONDS', 15, 1);
  const watchTimeoutSeconds = int(env, 'WATCH_TIMEOUT_SECONDS', 300, 1);
  // The API's pino levels are accepted too, since one LOG_LEVEL is often set for both.
  const levels: Record<string, OperatorConfig['logLevel']> = {
    trace: 'debug',
    debug: 'debug',
    info: 'info',
    warn: 'warn',
    error: 'error',
    fatal: 'error',
    silent: 'error',
  };
  const level = levels[(env.LOG_LEVEL ?? 'info').toLowerCase()];
  if (!level)
    throw new Error(
      `LOG_LEVEL must be one of ${Object.keys(levels).join(', ')}, got "${env.LOG_LEVEL ?? ''}"`,
    );
  const leaseNamespace = env.LEADER_ELECTION_NAMESPACE || 'findash-system';
  return {
    kubeconfig: env.KUBECONFIG || undefined,
    // Owner-capable: the operator writes tenants, bindings and tokens across tenants.
    databaseUrl: resolveOwnerUrl(env),
    port: int(env, 'OPERATOR_PORT', 8081),
    host: env.OPERATOR_HOST ?? '0.0.0.0',
    concurrency: int(env, 'OPERATOR_CONCURRENCY', 4, 1),
    resyncPeriodMs: int(env, 'RESYNC_PERIOD_SECONDS', 300, 1) * 1000,
    leaderElection: bool(env, 'LEADER_ELECTION', true),
    leaseNamespace,
    leaseName: env.LEASE_NAME ?? 'findash-operator',
    leaseDurationMs: leaseDurationSeconds * 1000,
    identity: env.POD_NAME ?? `${os.hostname()}-${process.pid}`,
    apiUrl: env.FINDASH_API_URL || undefined,
    watchTimeoutSeconds,
    watchIdleTimeoutMs: int(env, 'WATCH_IDLE_TIMEOUT_SECONDS', watchTimeoutSeconds + 30, 1) * 1000,
    kubeRequestTimeoutMs: int(env, 'KUBE_REQUEST_TIMEOUT_MS', 30_000, 100),
    backoffBaseMs: int(env, 'BACKOFF_BASE_MS', 200, 1),
    backoffMaxMs: int(env, 'BACKOFF_MAX_SECONDS', 300, 1) * 1000,
    logLevel: level,
    serviceAccount: {
      // The downward API's metadata.namespace and spec.serviceAccountName in a Pod.
      namespace: env.POD_NAMESPACE || leaseNamespace,
      name: env.SERVICE_ACCOUNT_NAME || 'findash-operator',
    },
    tenantNamespaceRole: env.TENANT_NAMESPACE_CLUSTER_ROLE || 'findash-operator-tenant-namespace',
  };
}
