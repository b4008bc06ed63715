import type { Knex } from 'knex';

import { API_VERSION, KIND, TENANTS_PATH, type Tenant } from '../../crd/types.js';
import type { KubeClient } from '../../kube/client.js';
import type { EventRecorder, EventType } from '../../kube/events.js';
import type { OperatorIdentity } from '../desired.js';
import type { ObjectCache } from '../watch-cache.js';

/**
 * What every step works with: the clients, the operator's settings, and one way to record Events
 * about a Tenant. The reconciler builds it once; the steps take it as their first argument.
 */
export interface StepContext {
  readonly client: KubeClient;
  readonly db: Knex;
  /** Public URL of the findash API, written into each credentials Secret (key apiUrl). */
  readonly apiUrl?: string;
  /** How soon to look again while waiting on something outside our control. */
  readonly waitRequeueMs: number;
  /** Who the operator is, for its RoleBinding in each tenant namespace. */
  readonly identity: OperatorIdentity;
  /** How long to wait for a new RoleBinding of the operator's to take effect. */
  readonly accessWaitMs: number;
  /** Called once the operator may work in a tenant namespace (the controller starts its watches there). */
  readonly onNamespaceAccess?: (tenant: string, namespace: string) => void;
  /** The controller's watch cache while it runs (none: every read goes to the API server). */
  readonly cache: () => ObjectCache | undefined;
  readonly event: (tenant: Tenant, type: EventType, reason: string, action: string, note: string) => void;
}

export function tenantPath(name: string): string {
  return `${TENANTS_PATH}/${name}`;
}

/** Events about a Tenant, for `kubectl describe tenant` (list items carry no apiVersion/kind). */
export function tenantEvents(
  events: EventRecorder,
): (tenant: Tenant, type: EventType, reason: string, action: string, note: string) => void {
  return (tenant, type, reason, action, note) => {
    events.record({ ...tenant, apiVersion: API_VERSION, kind: KIND }, type, reason, action, note);
  };
}
