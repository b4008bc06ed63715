import { setTimeout as sleep } from 'node:timers/promises';

import type { Knex } from 'knex';

import { DomainError } from '../../app/domain/errors.js';
import {
  retireTenant,
  syncTenant,
  type ClientCredential,
  type TenantSyncResult,
} from '../../app/domain/tenants/tenant-sync.js';
import {
  API_CLIENT_LABEL,
  API_VERSION,
  FIELD_MANAGER,
  FINALIZER,
  KIND,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  ROTATE_TOKEN_ANNOTATION,
  TENANTS_PATH,
  TENANT_LABEL,
  credentialsSecretName,
  tenantNamespace,
  type Credential,
  type Phase,
  type Tenant,
  type TenantStatus,
} from '../crd/types.js';
import { applyIfChanged } from '../kube/apply.js';
import { KubeApiError, isConflict, isNotFound, type KubeClient } from '../kube/client.js';
import type { EventRecorder, EventType } from '../kube/events.js';
import type { Namespace, ObjectList, Role, RoleBinding, Secret } from '../kube/types.js';
import type { Logger } from '../log.js';
import { mergeConditions, statusEqual, type ConditionInput } from './conditions.js';
import {
  CREDENTIALS_ROLE,
  CREDENTIALS_ROLE_BINDING,
  OPERATOR_GRANT_BINDING,
  desiredNamespace,
  desiredOperatorGrant,
  desiredRole,
  desiredRoleBinding,
  desiredSecret,
  desiredTenant,
  type OperatorIdentity,
} from './desired.js';
import { rotationRequest, type RotationRequest } from './rotation.js';
import type { HandlerResult } from './work-queue.js';

/**
 * Reconciles one Tenant, in kubebuilder's order: fetch → deletion and finalizer → each side
 * effect (database, namespace, credentials, RBAC), each reported as a condition → status.
 * Every step compares before it writes, so a pass over a converged Tenant only reads.
 * A failed step does not stop the independent ones; the pass then throws so the work queue
 * retries with backoff, unless the failure needs a person (a bad spec), which waits for an edit.
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
}

/** A step failed in a way retrying will fix (API server, database, a terminating namespace). */
class RetryableError extends Error {}

const SECRETS_SELECTOR = (tenant: string) =>
  `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${TENANT_LABEL}=${tenant}`;

function describe(err: unknown): string {
  if (err instanceof KubeApiError) return err.status.message ?? err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Turns a Kubernetes API failure into a reason and a message saying what to do. */
function kubeFailure(what: string, err: unknown): { reason: string; message: string } {
  if (err instanceof KubeApiError && err.code === 403) {
    return {
      reason: 'Forbidden',
      message: `${what}: the operator is not allowed to (${describe(err)}); check its ClusterRoles and admission policy (operator/rbac/) and its SERVICE_ACCOUNT_NAME / POD_NAMESPACE`,
    };
  }
  if (err instanceof KubeApiError && err.code === 422) {
    return { reason: 'Invalid', message: `${what}: the API server refused the object: ${describe(err)}` };
  }
  return { reason: 'KubernetesAPIError', message: `${what}: ${describe(err)}; retrying with backoff` };
}

function dbFailure(err: unknown): { reason: string; message: string; retry: boolean } {
  if (err instanceof DomainError && err.statusCode === 400) {
    return { reason: 'InvalidSpec', message: `${err.message}; fix the Tenant spec`, retry: false };
  }
  if (err instanceof DomainError && err.statusCode === 409) {
    return { reason: 'Conflict', message: err.message, retry: false };
  }
  return {
    reason: 'DatabaseError',
    message: `could not sync the database: ${describe(err)}; check DATABASE_URL and PostgreSQL, retrying with backoff`,
    retry: true,
  };
}

function decode(value: string | undefined): string | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** The outcome of one side effect: its condition, and what the pass should do about it. */
interface StepResult {
  readonly ok: boolean;
  readonly condition: ConditionInput;
  /** Retrying will likely fix it (API server or database trouble). */
  readonly retry: boolean;
  readonly failure?: string;
  readonly waitMs?: number;
  readonly db?: TenantSyncResult;
  readonly liveSecrets?: Map<string, Secret>;
  readonly credentials?: Credential[];
}

function failedStep(
  type: ConditionInput['type'],
  reason: string,
  message: string,
  retry: boolean,
): StepResult {
  return { ok: false, retry, failure: message, condition: { type, status: 'False', reason, message } };
}

function waitingStep(type: ConditionInput['type'], reason: string, message: string): StepResult {
  return { ok: false, retry: false, condition: { type, status: 'False', reason, message } };
}

/** Phase and Ready from the side-effect conditions: a failure beats waiting beats suspended. */
function summarize(
  conditions: readonly ConditionInput[],
  suspended: boolean,
  namespace: string,
): { phase: Phase; ready: ConditionInput } {
  const failed = conditions.find(
    (c) => c.status === 'False' && !c.reason.startsWith('Waiting') && c.reason !== 'NamespaceTerminating',
  );
  if (failed) {
    return {
      phase: 'Failed',
      ready: {
        type: 'Ready',
        status: 'False',
        reason: failed.reason,
        message: `${failed.type}: ${failed.message}`,
      },
    };
  }
  const waiting = conditions.find((c) => c.status === 'False');
  if (waiting) {
    return {
      phase: 'Pending',
      ready: {
        type: 'Ready',
        status: 'False',
        reason: waiting.reason,
        message: `${waiting.type}: ${waiting.message}`,
      },
    };
  }
  if (suspended) {
    return {
      phase: 'Suspended',
      ready: {
        type: 'Ready',
        status: 'False',
        reason: 'Suspended',
        message: 'spec.suspended is true: the API answers this tenant with 403; set it to false to resume',
      },
    };
  }
  return {
    phase: 'Ready',
    ready: {
      type: 'Ready',
      status: 'True',
      reason: 'Reconciled',
      message: `tenant is ready; API tokens are in namespace ${namespace}`,
    },
  };
}

export class TenantReconciler {
  private readonly log: Logger;

  constructor(private readonly options: ReconcilerOptions) {
    this.log = options.logger.child({ controller: 'tenant' });
  }

  private tenantPath(name: string): string {
    return `${TENANTS_PATH}/${name}`;
  }

  async reconcile(name: string): Promise<HandlerResult> {
    const { client } = this.options;
    let tenant = await client.getOrNull<Tenant>(this.tenantPath(name));
    if (!tenant) return; // deleted, and finalized already (the finalizer precedes every side effect)

    if (tenant.metadata.deletionTimestamp) {
      await this.finalize(tenant);
      return;
    }
    if (!(tenant.metadata.finalizers ?? []).includes(FINALIZER)) {
      tenant = await this.addFinalizer(tenant);
    }
    return this.sync(tenant);
  }

  private async addFinalizer(tenant: Tenant): Promise<Tenant> {
    const ops = tenant.metadata.finalizers
      ? [{ op: 'add' as const, path: '/metadata/finalizers/-', value: FINALIZER }]
      : [{ op: 'add' as const, path: '/metadata/finalizers', value: [FINALIZER] }];
    // The resourceVersion test makes a concurrent edit fail this patch (409) instead of racing it.
    return this.options.client.jsonPatch<Tenant>(this.tenantPath(tenant.metadata.name ?? ''), [
      { op: 'test', path: '/metadata/resourceVersion', value: tenant.metadata.resourceVersion },
      ...ops,
    ]);
  }

  private event(tenant: Tenant, type: EventType, reason: string, action: string, note: string): void {
    this.options.events.record(
      { ...tenant, apiVersion: API_VERSION, kind: KIND },
      type,
      reason,
      action,
      note,
    );
  }

  private async sync(tenant: Tenant): Promise<HandlerResult> {
    const name = tenant.metadata.name ?? '';
    const namespace = tenantNamespace(name);
    const generation = tenant.metadata.generation ?? 0;
    const rotation = rotationRequest(tenant);

    // The operator may only look inside the namespace once it exists and its own RoleBinding there
    // is in place, so that comes first. The database step reads the tokens the Secrets hold; the
    // Secrets then need its tokens. The owners' RBAC needs only the namespace and runs alongside.
    const nsStep = await this.ensureNamespace(tenant);
    const [[dbStep, credStep], rbacStep] = await Promise.all([
      this.syncDatabaseAndCredentials(tenant, nsStep.ok, rotation),
      this.ensureRbacStep(tenant, nsStep.ok),
    ]);
    const steps: StepResult[] = [dbStep, nsStep, credStep, rbacStep];
    const conditions = steps.map((st) => st.condition);

    if (rotation.invalidTimestamp !== undefined) {
      this.event(
        tenant,
        'Warning',
        'InvalidAnnotation',
        'RotateToken',
        `findash.io/rotate-tokens-at must be an RFC 3339 time such as 2026-11-25T20:00:00Z, got "${rotation.invalidTimestamp}"`,
      );
    }
    const waits = steps.map((st) => st.waitMs).filter((w): w is number => w !== undefined);
    if (rotation.issuedBefore && rotation.issuedBefore.getTime() > Date.now()) {
      waits.push(rotation.issuedBefore.getTime() - Date.now() + 100);
    }

    const { phase, ready } = summarize(conditions, tenant.spec.suspended ?? false, namespace);
    const credentials = credStep.credentials ?? tenant.status?.credentials ?? [];
    await this.writeStatus(tenant, {
      observedGeneration: generation,
      phase,
      tenantId: dbStep.db?.tenantId ?? tenant.status?.tenantId,
      namespace,
      memberCount: (tenant.spec.members ?? []).length,
      apiClientCount: credentials.length,
      credentials,
      conditions: mergeConditions(tenant.status?.conditions, [ready, ...conditions], generation, new Date()),
    });

    const failures = steps.filter((st) => st.failure !== undefined);
    if (failures.some((st) => st.retry))
      throw new RetryableError(failures.map((st) => st.failure).join('; '));
    if (failures.length > 0) {
      this.log.warn('tenant needs attention', { tenant: name, problems: failures.map((st) => st.failure) });
    }
    return waits.length === 0 ? undefined : { requeueAfterMs: Math.min(...waits) };
  }

  private async syncDatabaseAndCredentials(
    tenant: Tenant,
    namespaceReady: boolean,
    rotation: RotationRequest,
  ): Promise<readonly [StepResult, StepResult]> {
    const dbStep = await this.syncDatabase(tenant, namespaceReady, rotation);
    return [dbStep, await this.ensureCredentials(tenant, dbStep, namespaceReady, rotation)];
  }

  /** 1. Database: tenant row, rbac_bindings, api_tokens, given the tokens the Secrets hold. */
  private async syncDatabase(
    tenant: Tenant,
    namespaceReady: boolean,
    rotation: RotationRequest,
  ): Promise<StepResult> {
    const namespace = tenantNamespace(tenant.metadata.name ?? '');
    if (!namespaceReady) {
      // Without the Secrets' tokens every client would look new and get a fresh token.
      return waitingStep(
        'DatabaseSynced',
        'WaitingForNamespace',
        `the tokens already issued are read from the Secrets in ${namespace}, which is not ready (see NamespaceReady)`,
      );
    }
    try {
      const secretList = await this.options.client.get<ObjectList<Secret>>(
        `/api/v1/namespaces/${namespace}/secrets`,
        {
          labelSelector: SECRETS_SELECTOR(tenant.metadata.name ?? ''),
        },
      );
      const liveSecrets = new Map<string, Secret>();
      const presented = new Map<string, string>();
      for (const secret of secretList.items) {
        const clientName = secret.metadata.labels?.[API_CLIENT_LABEL];
        if (!clientName || secret.metadata.name !== credentialsSecretName(clientName)) continue;
        liveSecrets.set(clientName, secret);
        const token = decode(secret.data?.token);
        if (token) presented.set(clientName, token);
      }
      let db: TenantSyncResult;
      try {
        db = await syncTenant(this.options.db, desiredTenant(tenant), {
          presented,
          rotate: rotation.clients,
          rotateIssuedBefore: rotation.issuedBefore,
        });
      } catch (err) {
        const f = dbFailure(err);
        this.event(tenant, 'Warning', f.reason, 'SyncDatabase', f.message);
        return failedStep('DatabaseSynced', f.reason, f.message, f.retry);
      }
      this.reportDatabaseChanges(tenant, db);
      return {
        ok: true,
        retry: false,
        db,
        liveSecrets,
        condition: {
          type: 'DatabaseSynced',
          status: 'True',
          reason: 'Synced',
          message: `tenant row ${db.tenantId} matches the spec (${(tenant.spec.members ?? []).length} members, ${db.credentials.length} API tokens)`,
        },
      };
    } catch (err) {
      const f = kubeFailure(`reading the Secrets in ${namespace}`, err);
      return failedStep('DatabaseSynced', f.reason, f.message, true);
    }
  }

  /** 2. Namespace tenant-<name>. */
  private async ensureNamespace(tenant: Tenant): Promise<StepResult> {
    const { client } = this.options;
    const namespace = tenantNamespace(tenant.metadata.name ?? '');
    try {
      const live = await client.getOrNull<Namespace>(`/api/v1/namespaces/${namespace}`);
      if (live?.metadata.deletionTimestamp) {
        return {
          ok: false,
          retry: false,
          waitMs: this.options.waitRequeueMs ?? 2000,
          condition: {
            type: 'NamespaceReady',
            status: 'False',
            reason: 'NamespaceTerminating',
            message: `namespace ${namespace} is still being deleted (left by an earlier Tenant of this name); waiting for it to go`,
          },
        };
      }
      const outcome = await applyIfChanged(
        client,
        `/api/v1/namespaces/${namespace}`,
        desiredNamespace(tenant),
        live,
        FIELD_MANAGER,
      );
      if (outcome.changed) {
        this.event(
          tenant,
          'Normal',
          live ? 'NamespaceUpdated' : 'NamespaceCreated',
          'EnsureNamespace',
          `namespace ${namespace}`,
        );
      }
      await this.ensureAccess(tenant);
      this.options.onNamespaceAccess?.(tenant.metadata.name ?? '', namespace);
      return {
        ok: true,
        retry: false,
        condition: {
          type: 'NamespaceReady',
          status: 'True',
          reason: 'Applied',
          message: `namespace ${namespace} exists, and the operator works in it through RoleBinding ${OPERATOR_GRANT_BINDING}`,
        },
      };
    } catch (err) {
      const f = kubeFailure(`namespace ${namespace}`, err);
      this.event(tenant, 'Warning', f.reason, 'EnsureNamespace', f.message);
      return failedStep('NamespaceReady', f.reason, f.message, true);
    }
  }

  /** 3. One Secret per API client, holding its token; stale Secrets removed. */
  private async ensureCredentials(
    tenant: Tenant,
    dbStep: StepResult,
    namespaceReady: boolean,
    rotation: RotationRequest,
  ): Promise<StepResult> {
    const namespace = tenantNamespace(tenant.metadata.name ?? '');
    if (!dbStep.db || !dbStep.liveSecrets) {
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
      const credentials = await this.ensureSecrets(tenant, dbStep.db, dbStep.liveSecrets);
      if (rotation.rotateTokenValue !== undefined)
        await this.clearRotateAnnotation(tenant, rotation.rotateTokenValue);
      if (rotation.unknownClients.length > 0) {
        this.event(
          tenant,
          'Warning',
          'UnknownAPIClient',
          'RotateToken',
          `${ROTATE_TOKEN_ANNOTATION} names clients not in spec.apiClients: ${rotation.unknownClients.join(', ')}`,
        );
      }
      return {
        ok: true,
        retry: false,
        credentials,
        condition: {
          type: 'CredentialsReady',
          status: 'True',
          reason: 'SecretsApplied',
          message:
            credentials.length === 0
              ? 'no API clients in spec.apiClients'
              : `tokens in ${credentials.map((c) => `${namespace}/${c.secretName}`).join(', ')} (key "token")`,
        },
      };
    } catch (err) {
      const f = kubeFailure('credentials Secrets', err);
      this.event(tenant, 'Warning', f.reason, 'EnsureCredentials', f.message);
      return failedStep('CredentialsReady', f.reason, f.message, true);
    }
  }

  /** 4. Role + RoleBinding: the owners may read the credentials Secrets. */
  private async ensureRbacStep(tenant: Tenant, namespaceReady: boolean): Promise<StepResult> {
    const namespace = tenantNamespace(tenant.metadata.name ?? '');
    if (!namespaceReady) {
      return waitingStep(
        'RBACReady',
        'WaitingForNamespace',
        `the Role lives in namespace ${namespace}, which is not ready (see NamespaceReady)`,
      );
    }
    try {
      await this.ensureRbac(tenant);
      return {
        ok: true,
        retry: false,
        condition: {
          type: 'RBACReady',
          status: 'True',
          reason: 'Applied',
          message: `owners (${tenant.spec.owners.map((o) => `${o.kind}/${o.name}`).join(', ')}) may get/list Secrets in ${namespace}`,
        },
      };
    } catch (err) {
      const f = kubeFailure('owner RBAC', err);
      this.event(tenant, 'Warning', f.reason, 'EnsureRBAC', f.message);
      return failedStep('RBACReady', f.reason, f.message, true);
    }
  }

  /**
   * The operator's RoleBinding in the tenant namespace, giving its ServiceAccount the ClusterRole
   * for tenant namespaces there. Cluster-wide it may only create RoleBindings (and bind that one
   * ClusterRole), not read them: until the binding exists, reading it answers 403, which here means
   * "create it". Then it waits, briefly, for the API server's RBAC cache to let it in.
   */
  private async ensureAccess(tenant: Tenant): Promise<void> {
    const { client } = this.options;
    const namespace = tenantNamespace(tenant.metadata.name ?? '');
    const collection = `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`;
    const path = `${collection}/${OPERATOR_GRANT_BINDING}`;
    const desired = desiredOperatorGrant(tenant, this.options.identity);
    const live = await client.getOrNull<RoleBinding>(path).catch((err: unknown) => {
      if (err instanceof KubeApiError && err.code === 403) return undefined; // no access (yet)
      throw err;
    });
    if (live && jsonRoleRef(live) === jsonRoleRef(desired)) {
      const outcome = await applyIfChanged(client, path, desired, live, FIELD_MANAGER);
      if (outcome.changed) this.accessEvent(tenant, 'updated');
      return;
    }
    // A roleRef cannot be changed: a binding to another role goes, and the right one is created.
    if (live) await client.delete(path);
    const deadline = Date.now() + (this.options.accessWaitMs ?? 5000);
    const created = await this.retryUntil(deadline, async () => {
      try {
        await client.create(collection, desired);
        return true;
      } catch (err) {
        if (isConflict(err)) return false; // there already, but not letting us in: see below
        // The admission policy reads the namespace from a cache that may not hold a brand-new one yet.
        if (isNotFound(err)) return undefined;
        throw err;
      }
    });
    if (created) this.accessEvent(tenant, 'created');
    const allowed = await this.retryUntil(deadline, async () => {
      try {
        await client.get(path);
        return true;
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 403) return undefined;
        throw err;
      }
    });
    if (!allowed) {
      const sa = this.options.identity.serviceAccount;
      throw new KubeApiError(
        403,
        {
          message:
            `RoleBinding ${namespace}/${OPERATOR_GRANT_BINDING} does not let ServiceAccount ${sa.namespace}/${sa.name} ` +
            `in (ClusterRole ${this.options.identity.tenantNamespaceRole}); if someone changed it, delete it and the operator re-creates it`,
        },
        'GET',
        path,
      );
    }
  }

  /** Calls `attempt` until it returns a boolean or the deadline passes (then: the last answer, or false). */
  private async retryUntil(deadline: number, attempt: () => Promise<boolean | undefined>): Promise<boolean> {
    for (;;) {
      const answer = await attempt();
      if (answer !== undefined) return answer;
      if (Date.now() >= deadline) return false;
      await sleep(25);
    }
  }

  private accessEvent(tenant: Tenant, what: 'created' | 'updated'): void {
    this.event(
      tenant,
      'Normal',
      'AccessGranted',
      'EnsureNamespace',
      `RoleBinding ${tenantNamespace(tenant.metadata.name ?? '')}/${OPERATOR_GRANT_BINDING} ${what}: ClusterRole ${this.options.identity.tenantNamespaceRole} for the operator in this namespace only`,
    );
  }

  private reportDatabaseChanges(tenant: Tenant, db: TenantSyncResult): void {
    if (db.created)
      this.event(tenant, 'Normal', 'TenantCreated', 'SyncDatabase', `tenant row ${db.tenantId} created`);
    else if (db.tenantChanges.length > 0) {
      this.event(
        tenant,
        'Normal',
        'TenantUpdated',
        'SyncDatabase',
        `tenant row updated: ${db.tenantChanges.join(', ')}`,
      );
    }
    const b = db.bindingsAdded + db.bindingsRemoved + db.bindingsChanged;
    if (b > 0) {
      this.event(
        tenant,
        'Normal',
        'MembersSynced',
        'SyncDatabase',
        `rbac bindings: ${db.bindingsAdded} added, ${db.bindingsRemoved} removed, ${db.bindingsChanged} changed`,
      );
    }
    const issued = db.credentials.filter((c) => c.issued).map((c) => c.client);
    if (issued.length > 0)
      this.event(tenant, 'Normal', 'TokenIssued', 'SyncDatabase', `new API tokens for: ${issued.join(', ')}`);
    if (db.removedClients.length > 0) {
      this.event(
        tenant,
        'Normal',
        'TokenRevoked',
        'SyncDatabase',
        `tokens revoked for removed clients: ${db.removedClients.join(', ')}`,
      );
    }
  }

  private async ensureSecrets(
    tenant: Tenant,
    db: TenantSyncResult,
    live: Map<string, Secret>,
  ): Promise<Credential[]> {
    const { client } = this.options;
    const namespace = tenantNamespace(tenant.metadata.name ?? '');
    const exactData = new Set(['data']);
    // Independent objects: applied side by side, so a tenant with many clients is not slower.
    const credentials = await Promise.all(
      db.credentials.map(async (cred): Promise<Credential> => {
        const desired = desiredSecret(tenant, toCredentialInput(cred, db.tenantId), this.options.apiUrl);
        const secretName = credentialsSecretName(cred.client);
        const outcome = await applyIfChanged(
          client,
          `/api/v1/namespaces/${namespace}/secrets/${secretName}`,
          desired,
          live.get(cred.client) ?? null,
          FIELD_MANAGER,
          exactData,
        );
        if (outcome.changed && !cred.issued) {
          this.event(
            tenant,
            'Normal',
            'SecretUpdated',
            'EnsureCredentials',
            `Secret ${namespace}/${secretName} updated`,
          );
        }
        return { client: cred.client, secretName, issuedAt: cred.issuedAt.toISOString() };
      }),
    );
    const wanted = new Set(db.credentials.map((c) => c.client));
    const stale = [...live].filter(([clientName]) => !wanted.has(clientName)).map(([, secret]) => secret);
    await Promise.all(
      stale.map(async (secret) => {
        const secretName = secret.metadata.name ?? '';
        await client.delete(`/api/v1/namespaces/${namespace}/secrets/${secretName}`);
        this.event(
          tenant,
          'Normal',
          'SecretDeleted',
          'EnsureCredentials',
          `Secret ${namespace}/${secretName} deleted (client removed)`,
        );
      }),
    );
    return credentials;
  }

  private async ensureRbac(tenant: Tenant): Promise<void> {
    const { client } = this.options;
    const namespace = tenantNamespace(tenant.metadata.name ?? '');
    const base = `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}`;
    const rolePath = `${base}/roles/${CREDENTIALS_ROLE}`;
    const bindingPath = `${base}/rolebindings/${CREDENTIALS_ROLE_BINDING}`;
    const [role, binding] = await Promise.all([
      client.getOrNull<Role>(rolePath),
      client.getOrNull<RoleBinding>(bindingPath),
    ]);
    // A RoleBinding may name its Role before the Role exists, so both go at once.
    const [r, b] = await Promise.all([
      applyIfChanged(client, rolePath, desiredRole(tenant), role, FIELD_MANAGER),
      applyIfChanged(client, bindingPath, desiredRoleBinding(tenant), binding, FIELD_MANAGER),
    ]);
    if (r.changed || b.changed) {
      this.event(
        tenant,
        'Normal',
        'RBACApplied',
        'EnsureRBAC',
        `Role ${CREDENTIALS_ROLE} and RoleBinding ${CREDENTIALS_ROLE_BINDING} in ${namespace}`,
      );
    }
  }

  /** Removes findash.io/rotate-token once handled, unless someone changed its value meanwhile. */
  private async clearRotateAnnotation(tenant: Tenant, value: string): Promise<void> {
    const path = `/metadata/annotations/${ROTATE_TOKEN_ANNOTATION.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    try {
      await this.options.client.jsonPatch(this.tenantPath(tenant.metadata.name ?? ''), [
        { op: 'test', path, value },
        { op: 'remove', path },
      ]);
      this.event(
        tenant,
        'Normal',
        'TokensRotated',
        'RotateToken',
        `rotated tokens requested by ${ROTATE_TOKEN_ANNOTATION}: ${value}`,
      );
    } catch (err) {
      // 422 from the test op: the value changed, and the change queues another pass anyway.
      if (!(err instanceof KubeApiError && (err.code === 422 || err.code === 409))) throw err;
    }
  }

  private async writeStatus(tenant: Tenant, status: TenantStatus): Promise<void> {
    if (statusEqual(tenant.status, status)) return;
    const name = tenant.metadata.name ?? '';
    try {
      await this.options.client.apply(
        `${this.tenantPath(name)}/status`,
        { apiVersion: API_VERSION, kind: KIND, metadata: { name }, status },
        FIELD_MANAGER,
      );
    } catch (err) {
      if (isNotFound(err)) return; // deleted meanwhile
      throw err;
    }
  }

  private async finalize(tenant: Tenant): Promise<void> {
    const finalizers = tenant.metadata.finalizers ?? [];
    const index = finalizers.indexOf(FINALIZER);
    if (index < 0) return;
    const name = tenant.metadata.name ?? '';
    const namespace = tenantNamespace(name);
    const policy = tenant.spec.deletionPolicy ?? 'Retain';

    if (tenant.status?.phase !== 'Deleting') {
      await this.writeStatus(tenant, { ...tenant.status, phase: 'Deleting' });
    }
    let outcome;
    try {
      outcome = await retireTenant(this.options.db, tenant.metadata.uid ?? '', policy);
    } catch (err) {
      const f = dbFailure(err);
      this.event(
        tenant,
        'Warning',
        f.reason,
        'Finalize',
        `cannot apply deletionPolicy ${policy}: ${f.message}`,
      );
      throw err;
    }
    const deleted = await this.options.client.delete(`/api/v1/namespaces/${namespace}`);
    const what =
      outcome === 'deleted'
        ? 'tenant data deleted from the database'
        : outcome === 'retained'
          ? 'tenant data retained (status deleted, tokens revoked)'
          : 'no tenant row to clean up';
    this.event(
      tenant,
      'Normal',
      policy === 'Delete' ? 'TenantDeleted' : 'TenantRetained',
      'Finalize',
      `deletionPolicy ${policy}: ${what}; namespace ${namespace} ${deleted ? 'deleted' : 'already gone'}`,
    );
    try {
      await this.options.client.jsonPatch(this.tenantPath(name), [
        { op: 'test', path: `/metadata/finalizers/${index}`, value: FINALIZER },
        { op: 'remove', path: `/metadata/finalizers/${index}` },
      ]);
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err) || (err instanceof KubeApiError && err.code === 422)) {
        throw new RetryableError('finalizers changed while finalizing; retrying');
      }
      throw err;
    }
    this.log.info('tenant finalized', { tenant: name, policy, outcome });
  }
}

function jsonRoleRef(binding: RoleBinding): string {
  return `${binding.roleRef.kind}/${binding.roleRef.name}`;
}

function toCredentialInput(cred: ClientCredential, tenantId: string) {
  return {
    client: cred.client,
    role: cred.role,
    token: cred.token,
    tokenId: cred.tokenId,
    issuedAt: cred.issuedAt,
    tenantId,
  };
}
