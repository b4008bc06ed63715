/**
 * The Tenant custom resource as the operator sees it. The schema itself (validation, defaults,
 * descriptions) lives in charts/findash/crds/findash.io_tenants.yaml; these types mirror it, and
 * test/operator/crd-schema.test.ts fails when they drift apart (through schema-fields.ts).
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

// Each enum as a value too, so the schema check can compare it with the CRD's.
export const TENANT_TYPES = ['user', 'organization'] as const;
export type TenantType = (typeof TENANT_TYPES)[number];
export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const SUBJECT_KINDS = ['User', 'Group', 'ServiceAccount'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];
export const DELETION_POLICIES = ['Retain', 'Delete'] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];
export const PHASES = ['Pending', 'Ready', 'Failed', 'Suspended', 'Deleting'] as const;
export type Phase = (typeof PHASES)[number];

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

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];
export const CONDITION_TYPES = [
  'Ready',
  'DatabaseSynced',
  'NamespaceReady',
  'CredentialsReady',
  'RBACReady',
] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

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

/** What the API server fills in for an absent spec field (the CRD's defaults); the operator assumes the same. */
export const SPEC_DEFAULTS = {
  timezone: 'UTC',
  suspended: false,
  deletionPolicy: 'Retain',
} as const satisfies Partial<TenantSpec>;

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
