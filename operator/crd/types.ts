/**
 * The Tenant custom resource as the operator sees it. The schema itself (validation, defaults,
 * descriptions) lives in charts/findash/crds/findash.io_tenants.yaml; these types mirror it.
 */
import type { ObjectMeta } from '../kube/types.js';

export const GROUP = 'findash.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'Tenant';
export const PLURAL = 'tenants';
export const TENANTS_PATH = `/apis/${GROUP}/${VERSION}/${PLURAL}`;

/** Added before any side effect; removed once the deletion policy has been applied. */
export const FINALIZER = 'findash.io/finalizer';
/** Server-side apply field manager for everything the operator owns. */
export const FIELD_MANAGER = 'findash-operator';
export const CONTROLLER_NAME = 'tenant';

/** `findash.io/rotate-token: ci,reporting` — rotate those clients once; the operator removes it. */
export const ROTATE_TOKEN_ANNOTATION = 'findash.io/rotate-token';
/** `findash.io/rotate-tokens-at: 2026-11-25T20:00:00Z` — every token issued before then is replaced. */
export const ROTATE_TOKENS_AT_ANNOTATION = 'findash.io/rotate-tokens-at';

/** Labels on every object the operator creates, so it can find (and watch) them again. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'findash-operator';
export const TENANT_LABEL = 'findash.io/tenant';
export const API_CLIENT_LABEL = 'findash.io/api-client';
/** On a credentials Secret: when its token was issued (RFC 3339), for rotate-tokens-at. */
export const ISSUED_AT_ANNOTATION = 'findash.io/issued-at';

export type TenantType = 'user' | 'organization';
export type Role = 'viewer' | 'analyst' | 'admin';
export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';
export type DeletionPolicy = 'Retain' | 'Delete';
export type Phase = 'Pending' | 'Ready' | 'Failed' | 'Suspended' | 'Deleting';
export const PHASES: readonly Phase[] = ['Pending', 'Ready', 'Failed', 'Suspended', 'Deleting'];

export interface Subject {
  kind: SubjectKind;
  name: string;
  namespace?: string;
}

export interface Member extends Subject {
  role: Role;
}

export interface ApiClient {
  name: string;
  role: Role;
}

export interface TenantLimits {
  requestsPerMinute?: number;
  maxAccounts?: number;
}

export interface TenantSpec {
  type: TenantType;
  displayName: string;
  baseCurrency: string;
  timezone?: string;
  suspended?: boolean;
  owners: Subject[];
  members?: Member[];
  apiClients?: ApiClient[];
  limits?: TenantLimits;
  deletionPolicy?: DeletionPolicy;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';
export type ConditionType = 'Ready' | 'DatabaseSynced' | 'NamespaceReady' | 'CredentialsReady' | 'RBACReady';

export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface Credential {
  client: string;
  secretName: string;
  issuedAt?: string;
}

export interface TenantStatus {
  observedGeneration?: number;
  phase?: Phase;
  tenantId?: string;
  namespace?: string;
  memberCount?: number;
  apiClientCount?: number;
  credentials?: Credential[];
  conditions?: Condition[];
}

export interface Tenant {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta;
  spec: TenantSpec;
  status?: TenantStatus;
}

/** Namespace holding a tenant's credentials Secrets. */
export function tenantNamespace(tenantName: string): string {
  return `tenant-${tenantName}`;
}

/** Secret holding one API client's bearer token. */
export function credentialsSecretName(client: string): string {
  return `${client}-token`;
}
