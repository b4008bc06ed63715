import {
  API_VERSION,
  FIELD_MANAGER,
  KIND,
  SPEC_DEFAULTS,
  tenantNamespace,
  type Phase,
  type Tenant,
  type TenantStatus,
} from '../../crd/types.js';
import { isNotFound } from '../../kube/errors.js';
import { mergeConditions, statusEqual, type ConditionInput } from '../conditions.js';
import { tenantPath, type StepContext } from './context.js';
import { noteWrite } from './reads.js';
import type { CredentialsStep } from './credentials.js';
import type { DatabaseStep } from './database.js';
import type { StepResult } from './step-result.js';

/** What one pass found, step by step, in the order the conditions are listed. */
export interface PassSteps {
  readonly database: DatabaseStep;
  readonly namespace: StepResult;
  readonly credentials: CredentialsStep;
  readonly rbac: StepResult;
}

export function stepList(steps: PassSteps): StepResult[] {
  return [steps.database, steps.namespace, steps.credentials, steps.rbac];
}

/** The status a pass reports: its conditions, Ready and phase summed up from them, and what it applied. */
export function tenantStatus(tenant: Tenant, steps: PassSteps): TenantStatus {
  const generation = tenant.metadata.generation ?? 0;
  const namespace = tenantNamespace(tenant.metadata.name ?? '');
  const conditions = stepList(steps).map((st) => st.condition);
  const { phase, ready } = summarize(conditions, tenant.spec.suspended ?? SPEC_DEFAULTS.suspended, namespace);
  const credentials = steps.credentials.credentials ?? tenant.status?.credentials ?? [];
  return {
    observedGeneration: generation,
    phase,
    tenantId: steps.database.db?.tenantId ?? tenant.status?.tenantId,
    namespace,
    memberCount: (tenant.spec.members ?? []).length,
    apiClientCount: credentials.length,
    credentials,
    conditions: mergeConditions(tenant.status?.conditions, [ready, ...conditions], generation, new Date()),
  };
}

/** Writes the status unless it says what the Tenant's status says already (a converged pass writes nothing). */
export async function writeStatus(ctx: StepContext, tenant: Tenant, status: TenantStatus): Promise<void> {
  if (statusEqual(tenant.status, status)) return;
  const name = tenant.metadata.name ?? '';
  try {
    const updated = await ctx.client.apply<Tenant>(
      `${tenantPath(name)}/status`,
      { apiVersion: API_VERSION, kind: KIND, metadata: { name }, status },
      FIELD_MANAGER,
    );
    noteWrite(ctx, { resource: 'tenants', name }, updated);
  } catch (err) {
    if (isNotFound(err)) return; // deleted meanwhile
    throw err;
  }
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
    return { phase: 'Failed', ready: notReady(failed.reason, `${failed.type}: ${failed.message}`) };
  }
  const waiting = conditions.find((c) => c.status === 'False');
  if (waiting) {
    return { phase: 'Pending', ready: notReady(waiting.reason, `${waiting.type}: ${waiting.message}`) };
  }
  if (suspended) {
    return {
      phase: 'Suspended',
      ready: notReady(
        'Suspended',
        'spec.suspended is true: the API answers this tenant with 403; set it to false to resume',
      ),
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

function notReady(reason: string, message: string): ConditionInput {
  return { type: 'Ready', status: 'False', reason, message };
}
