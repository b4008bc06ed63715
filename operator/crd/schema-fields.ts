import {
  CONDITION_STATUSES,
  DELETION_POLICIES,
  PHASES,
  ROLES,
  SPEC_DEFAULTS,
  SUBJECT_KINDS,
  TENANT_TYPES,
  type ApiClient,
  type Condition,
  type Credential,
  type Member,
  type Subject,
  type TenantLimits,
  type TenantSpec,
  type TenantStatus,
} from './types.js';

/**
 * The Tenant's schema as the TypeScript types in types.ts see it, as values a test can read: every
 * object's fields with their JSON type ('?' when optional), and every enum. The compiler holds these
 * to the interfaces (a field added, dropped, retyped or made optional there fails `tsc` here), and
 * test/operator/crd-schema.test.ts holds them to charts/findash/crds/findash.io_tenants.yaml, the
 * schema's one source. So the types cannot drift from the CRD without a failing check.
 */

type JsonType<V> = V extends string
  ? 'string'
  : V extends number
    ? 'integer'
    : V extends boolean
      ? 'boolean'
      : V extends readonly unknown[]
        ? 'array'
        : 'object';

/** Exactly the fields of T, each its JSON type, with '?' when T has it optional. */
export type FieldsOf<T> = {
  readonly [K in keyof T]-?: undefined extends T[K] ? `${JsonType<NonNullable<T[K]>>}?` : JsonType<T[K]>;
};

function fields<T>(f: FieldsOf<T>): FieldsOf<T> {
  return f;
}

/** By schema path ('[]' is an array's items), as in the CRD's openAPIV3Schema. */
export const SCHEMA_OBJECTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '.spec': fields<TenantSpec>({
    type: 'string',
    displayName: 'string',
    baseCurrency: 'string',
    timezone: 'string?',
    suspended: 'boolean?',
    owners: 'array',
    members: 'array?',
    apiClients: 'array?',
    limits: 'object?',
    deletionPolicy: 'string?',
  }),
  '.spec.owners[]': fields<Subject>({ kind: 'string', name: 'string', namespace: 'string?' }),
  '.spec.members[]': fields<Member>({ kind: 'string', name: 'string', namespace: 'string?', role: 'string' }),
  '.spec.apiClients[]': fields<ApiClient>({ name: 'string', role: 'string' }),
  '.spec.limits': fields<TenantLimits>({ requestsPerMinute: 'integer?', maxAccounts: 'integer?' }),
  '.status': fields<TenantStatus>({
    observedGeneration: 'integer?',
    phase: 'string?',
    tenantId: 'string?',
    namespace: 'string?',
    memberCount: 'integer?',
    apiClientCount: 'integer?',
    credentials: 'array?',
    conditions: 'array?',
  }),
  '.status.credentials[]': fields<Credential>({
    client: 'string',
    secretName: 'string',
    issuedAt: 'string?',
  }),
  '.status.conditions[]': fields<Condition>({
    type: 'string',
    status: 'string',
    observedGeneration: 'integer?',
    lastTransitionTime: 'string',
    reason: 'string',
    message: 'string',
  }),
};

/** Every enum of the schema, by path, as the types' value lists. */
export const SCHEMA_ENUMS: Readonly<Record<string, readonly string[]>> = {
  '.spec.type': TENANT_TYPES,
  '.spec.owners[].kind': SUBJECT_KINDS,
  '.spec.members[].kind': SUBJECT_KINDS,
  '.spec.members[].role': ROLES,
  '.spec.apiClients[].role': ROLES,
  '.spec.deletionPolicy': DELETION_POLICIES,
  '.status.phase': PHASES,
  '.status.conditions[].status': CONDITION_STATUSES,
};

/** Every default of the schema, by path: the operator assumes the same when a field is absent. */
export const SCHEMA_DEFAULTS: Readonly<Record<string, unknown>> = {
  '.spec.timezone': SPEC_DEFAULTS.timezone,
  '.spec.suspended': SPEC_DEFAULTS.suspended,
  '.spec.deletionPolicy': SPEC_DEFAULTS.deletionPolicy,
  // The API server fills it in, so a User or Group member's key (kind, name, namespace) is complete.
  '.spec.members[].namespace': '',
};
