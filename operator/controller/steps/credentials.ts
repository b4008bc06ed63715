import type { ClientCredential, TenantSyncResult } from '../../../app/domain/tenants/tenant-sync.js';
import {
  FIELD_MANAGER,
  ROTATE_TOKEN_ANNOTATION,
  credentialsSecretName,
  tenantNamespace,
  type Credential,
  type Tenant,
} from '../../crd/types.js';
import { applyIfChanged } from '../../kube/apply.js';
import type { Secret } from '../../kube/types.js';
import { desiredSecret, type CredentialInput } from '../desired.js';
import type { RotationRequest } from '../rotation.js';
import type { StepContext } from './context.js';
import type { DatabaseStep } from './database.js';
import { kubeFailure } from './failures.js';
import { noteWrite, objectPath } from './reads.js';
import type { SecretsRead } from './live-secrets.js';
import { clearRotateAnnotation } from './rotate-annotation.js';
import { failedStep, readyStep, waitingStep, type StepResult } from './step-result.js';

export interface CredentialsStep extends StepResult {
  /** status.credentials, when the step succeeded. */
  readonly credentials?: Credential[];
}

/** One Secret per API client, holding the token the database step issued; Secrets of removed clients go. */
export async function ensureCredentials(
  ctx: StepContext,
  tenant: Tenant,
  dbStep: DatabaseStep,
  secrets: SecretsRead,
  namespaceReady: boolean,
  rotation: RotationRequest,
): Promise<CredentialsStep> {
  const namespace = tenantNamespace(tenant.metadata.name ?? '');
  if (!dbStep.db || !('live' in secrets)) {
    return waitingStep(
      'CredentialsReady',
      'WaitingForDatabase',
      'tokens are issued by the database step, which has not succeeded (see DatabaseSynced)',
    );
  }
  if (!namespaceReady) {
    return waitingStep(
      'CredentialsReady',
      'WaitingForNamespace',
      `the Secrets live in namespace ${namespace}, which is not ready (see NamespaceReady)`,
    );
  }
  try {
    const credentials = await ensureSecrets(ctx, tenant, dbStep.db, secrets.live.byClient);
    if (rotation.rotateTokenValue !== undefined) {
      await clearRotateAnnotation(ctx, tenant, rotation.rotateTokenValue);
    }
    if (rotation.unknownClients.length > 0) {
      ctx.event(
        tenant,
        'Warning',
        'UnknownAPIClient',
        'RotateToken',
        `${ROTATE_TOKEN_ANNOTATION} names clients not in spec.apiClients: ${rotation.unknownClients.join(', ')}`,
      );
    }
    const message =
      credentials.length === 0
        ? 'no API clients in spec.apiClients'
        : `tokens in ${credentials.map((c) => `${namespace}/${c.secretName}`).join(', ')} (key "token")`;
    return { ...readyStep('CredentialsReady', 'SecretsApplied', message), credentials };
  } catch (err) {
    const f = kubeFailure('credentials Secrets', err);
    ctx.event(tenant, 'Warning', f.reason, 'EnsureCredentials', f.message);
    return failedStep('CredentialsReady', f.reason, f.message, true);
  }
}

async function ensureSecrets(
  ctx: StepContext,
  tenant: Tenant,
  db: TenantSyncResult,
  live: ReadonlyMap<string, Secret>,
): Promise<Credential[]> {
  const namespace = tenantNamespace(tenant.metadata.name ?? '');
  const exactData = new Set(['data']);
  // Independent objects: applied side by side, so a tenant with many clients is not slower.
  const credentials = await Promise.all(
    db.credentials.map(async (cred): Promise<Credential> => {
      const desired = desiredSecret(tenant, toCredentialInput(cred, db.tenantId), ctx.apiUrl);
      const secretName = credentialsSecretName(cred.client);
      const ref = { resource: 'secrets', namespace, name: secretName } as const;
      const outcome = await applyIfChanged(
        ctx.client,
        objectPath(ref),
        desired,
        live.get(cred.client) ?? null,
        FIELD_MANAGER,
        exactData,
      );
      if (outcome.changed) noteWrite(ctx, ref, outcome.object);
      // A newly issued token is told by the database step's TokenIssued already.
      if (outcome.changed && !cred.issued) {
        const note = `Secret ${namespace}/${secretName} updated`;
        ctx.event(tenant, 'Normal', 'SecretUpdated', 'EnsureCredentials', note);
      }
      return { client: cred.client, secretName, issuedAt: cred.issuedAt.toISOString() };
    }),
  );
  const wanted = new Set(db.credentials.map((c) => c.client));
  const stale = [...live].filter(([clientName]) => !wanted.has(clientName)).map(([, secret]) => secret);
  await Promise.all(
    stale.map(async (secret) => {
      const secretName = secret.metadata.name ?? '';
      const ref = { resource: 'secrets', namespace, name: secretName } as const;
      await ctx.client.delete(objectPath(ref));
      noteWrite(ctx, ref, null);
      const note = `Secret ${namespace}/${secretName} deleted (client removed)`;
      ctx.event(tenant, 'Normal', 'SecretDeleted', 'EnsureCredentials', note);
    }),
  );
  return credentials;
}

function toCredentialInput(cred: ClientCredential, tenantId: string): CredentialInput {
  return {
    client: cred.client,
    role: cred.role,
    token: cred.token,
    tokenId: cred.tokenId,
    issuedAt: cred.issuedAt,
    tenantId,
  };
}
