import type { Knex } from 'knex';

import type { Tenant } from '../crd/types.js';
import type { KubeClient } from '../kube/client.js';
import type { EventRecorder } from '../kube/events.js';
import type { Logger } from '../log.js';
import type { OperatorIdentity } from './desired.js';
import { rotationRequest, type RotationRequest } from './rotation.js';
import { tenantEvents, type StepContext } from './steps/context.js';
import { ensureCredentials, type CredentialsStep } from './steps/credentials.js';
import { syncDatabase, type DatabaseStep } from './steps/database.js';
import { finalize } from './steps/deletion.js';
import { RetryableError } from './steps/failures.js';
import { addFinalizer, hasFinalizer } from './steps/finalizer.js';
import { readLiveSecrets } from './steps/live-secrets.js';
import { ensureNamespace } from './steps/namespace.js';
import { ensureOwnerRbac } from './steps/owner-rbac.js';
import { readObject } from './steps/reads.js';
import { stepList, tenantStatus, writeStatus, type PassSteps } from './steps/status.js';
import type { ObjectCache } from './watch-cache.js';
import type { HandlerResult } from './work-queue.js';

/**
 * Reconciles one Tenant, in kubebuilder's order: fetch → deletion and finalizer → each side
 * effect (namespace, database, credentials, owner RBAC; one file each in steps/), each reported
 * as a condition → status. Every step compares before it writes, so a pass over a converged
 * Tenant only reads. A failed step does not stop the independent ones; the pass then throws so
 * the work queue retries with backoff, unless the failure needs a person (a bad spec), which
 * waits for an edit.
 */

export interface ReconcilerOptions {
  readonly client: KubeClient;
  readonly db: Knex;
  readonly events: EventRecorder;
  readonly logger: Logger;
  /** Public URL of the findash API, written into each credentials Secret (key apiUrl). */
  readonly apiUrl?: string;
  /** How soon to look again while waiting on something outside our control. */
  readonly waitRequeueMs?: number;
  /** Who the operator is, for its RoleBinding in each tenant namespace. */
  readonly identity: OperatorIdentity;
  /** Called once the operator may work in a tenant namespace (the controller starts its watches there). */
  readonly onNamespaceAccess?: (tenant: string, namespace: string) => void;
  /** How long to wait for a new RoleBinding of the operator's to take effect (RBAC caches lag a little). */
  readonly accessWaitMs?: number;
  /** The controller's watch cache, read instead of the API server where it can answer (watch-cache.ts). */
  readonly cache?: () => ObjectCache | undefined;
}

export class TenantReconciler {
  private readonly log: Logger;
  private readonly ctx: StepContext;

  constructor(private readonly options: ReconcilerOptions) {
    this.log = options.logger.child({ controller: 'tenant' });
    this.ctx = {
      client: options.client,
      db: options.db,
      apiUrl: options.apiUrl,
      waitRequeueMs: options.waitRequeueMs ?? 2000,
      identity: options.identity,
      accessWaitMs: options.accessWaitMs ?? 5000,
      onNamespaceAccess: options.onNamespaceAccess,
      cache: options.cache ?? (() => undefined),
      event: tenantEvents(options.events),
    };
  }

  async reconcile(name: string): Promise<HandlerResult> {
    // From the Tenant watch's store, which holds every Tenant the controller queues; the API server
    // when it does not (yet), or right after our own write to it, which the store may not show yet.
    let tenant = await readObject<Tenant>(this.ctx, { resource: 'tenants', name });
    if (!tenant) return; // deleted, and finalized already (the finalizer precedes every side effect)

    if (tenant.metadata.deletionTimestamp) {
      await finalize(this.ctx, tenant, this.log);
      return;
    }
    if (!hasFinalizer(tenant)) tenant = await addFinalizer(this.ctx, tenant);

    const rotation = rotationRequest(tenant);
    const steps = await this.ensureChildren(tenant, rotation);
    this.reportRotationProblems(tenant, rotation);
    await writeStatus(this.ctx, tenant, tenantStatus(tenant, steps));
    return this.outcome(tenant, steps, rotation);
  }

  /**
   * The operator may only look inside the namespace once it exists and its own RoleBinding there
   * is in place, so that comes first. The database step keeps the tokens the Secrets hold; the
   * Secrets then carry its tokens. The owners' RBAC needs only the namespace and runs alongside.
   */
  private async ensureChildren(tenant: Tenant, rotation: RotationRequest): Promise<PassSteps> {
    const namespace = await ensureNamespace(this.ctx, tenant);
    const [[database, credentials], rbac] = await Promise.all([
      this.databaseThenCredentials(tenant, namespace.ok, rotation),
      ensureOwnerRbac(this.ctx, tenant, namespace.ok),
    ]);
    return { database, namespace, credentials, rbac };
  }

  private async databaseThenCredentials(
    tenant: Tenant,
    namespaceReady: boolean,
    rotation: RotationRequest,
  ): Promise<readonly [DatabaseStep, CredentialsStep]> {
    const secrets = await readLiveSecrets(this.ctx, tenant, namespaceReady);
    const database = await syncDatabase(this.ctx, tenant, secrets, rotation);
    const credentials = await ensureCredentials(
      this.ctx,
      tenant,
      database,
      secrets,
      namespaceReady,
      rotation,
    );
    return [database, credentials];
  }

  private reportRotationProblems(tenant: Tenant, rotation: RotationRequest): void {
    if (rotation.invalidTimestamp === undefined) return;
    this.ctx.event(
      tenant,
      'Warning',
      'InvalidAnnotation',
      'RotateToken',
      `findash.io/rotate-tokens-at must be an RFC 3339 time such as 2026-11-25T20:00:00Z, got "${rotation.invalidTimestamp}"`,
    );
  }

  /** Retry (throw) when a step failed in a way time fixes; else look again when something is due. */
  private outcome(tenant: Tenant, passSteps: PassSteps, rotation: RotationRequest): HandlerResult {
    const steps = stepList(passSteps);
    const failures = steps.filter((st) => st.failure !== undefined);
    if (failures.some((st) => st.retry))
      throw new RetryableError(failures.map((st) => st.failure).join('; '));
    if (failures.length > 0) {
      const problems = failures.map((st) => st.failure);
      this.log.warn('tenant needs attention', { tenant: tenant.metadata.name ?? '', problems });
    }
    const waits = steps.map((st) => st.waitMs).filter((w): w is number => w !== undefined);
    if (rotation.issuedBefore && rotation.issuedBefore.getTime() > Date.now()) {
      waits.push(rotation.issuedBefore.getTime() - Date.now() + 100);
    }
    return waits.length === 0 ? undefined : { requeueAfterMs: Math.min(...waits) };
  }
}
