import {
  API_CLIENT_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  TENANT_LABEL,
  credentialsSecretName,
  tenantNamespace,
  type Tenant,
} from '../../crd/types.js';
import type { ObjectList, Secret } from '../../kube/types.js';
import type { StepContext } from './context.js';
import { kubeFailure } from './failures.js';
import { failedStep, waitingStep, type StepResult } from './step-result.js';

/**
 * The credentials Secrets as they are, read once per pass: the database step needs the tokens
 * they hold (to keep them), the credentials step the objects (to compare and to prune).
 */
export interface LiveSecrets {
  /** By API client, only Secrets named for their client (<client>-token). */
  readonly byClient: ReadonlyMap<string, Secret>;
  /** The plaintext token each client's Secret presents. */
  readonly presented: ReadonlyMap<string, string>;
}

export function secretsSelector(tenant: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${TENANT_LABEL}=${tenant}`;
}

/** The Secrets, or why they cannot be had: the DatabaseSynced condition, since that step needs them first. */
export type SecretsRead = { readonly live: LiveSecrets } | { readonly unavailable: StepResult };

export async function readLiveSecrets(
  ctx: StepContext,
  tenant: Tenant,
  namespaceReady: boolean,
): Promise<SecretsRead> {
  const name = tenant.metadata.name ?? '';
  const namespace = tenantNamespace(name);
  if (!namespaceReady) {
    // Without the Secrets' tokens every client would look new and get a fresh token.
    const message = `the tokens already issued are read from the Secrets in ${namespace}, which is not ready (see NamespaceReady)`;
    return { unavailable: waitingStep('DatabaseSynced', 'WaitingForNamespace', message) };
  }
  try {
    return { live: liveSecrets(cachedSecrets(ctx, name) ?? (await listSecrets(ctx, name))) };
  } catch (err) {
    const f = kubeFailure(`reading the Secrets in ${namespace}`, err);
    return { unavailable: failedStep('DatabaseSynced', f.reason, f.message, true) };
  }
}

/**
 * From the namespace's Secret watch, which holds exactly these (it selects managed-by, and the
 * namespace is this tenant's alone) once it has listed, unless our own last writes have not shown
 * in it yet (watch-cache.ts).
 */
function cachedSecrets(ctx: StepContext, tenant: string): Secret[] | undefined {
  const namespace = tenantNamespace(tenant);
  return ctx.cache()?.list<Secret>('secrets', namespace, (s) => s.metadata.labels?.[TENANT_LABEL] === tenant);
}

async function listSecrets(ctx: StepContext, tenant: string): Promise<Secret[]> {
  const path = `/api/v1/namespaces/${tenantNamespace(tenant)}/secrets`;
  return (await ctx.client.get<ObjectList<Secret>>(path, { labelSelector: secretsSelector(tenant) })).items;
}

export function liveSecrets(secrets: readonly Secret[]): LiveSecrets {
  const byClient = new Map<string, Secret>();
  const presented = new Map<string, string>();
  for (const secret of secrets) {
    const clientName = secret.metadata.labels?.[API_CLIENT_LABEL];
    if (!clientName || secret.metadata.name !== credentialsSecretName(clientName)) continue;
    byClient.set(clientName, secret);
    const token = decode(secret.data?.token);
    if (token) presented.set(clientName, token);
  }
  return { byClient, presented };
}

function decode(value: string | undefined): string | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}
