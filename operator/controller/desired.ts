import type { DesiredTenant } from '../../app/domain/tenants/tenant-sync.js';
import { subjectKey } from '../../app/domain/tenants/tenant-sync.js';
import type { Role as FindashRole } from '../../app/domain/auth/roles.js';
import {
  API_CLIENT_LABEL,
  API_VERSION,
  ISSUED_AT_ANNOTATION,
  KIND,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SPEC_DEFAULTS,
  TENANT_LABEL,
  credentialsSecretName,
  tenantNamespace,
  type Subject,
  type Tenant,
} from '../crd/types.js';
import type { Namespace, OwnerReference, RbacSubject, Role, RoleBinding, Secret } from '../kube/types.js';

// The objects a Tenant should produce, as pure functions of the Tenant (and, for Secrets, the
// credential the database step returned). The reconciler applies them and compares them with
// what is live, so everything here must be deterministic: same input, same output, byte for byte.

export const CREDENTIALS_ROLE = 'findash-tenant-credentials-reader';
export const CREDENTIALS_ROLE_BINDING = 'findash-tenant-owners';
export const TOKEN_ID_ANNOTATION = 'findash.io/token-id';
/** The RoleBinding in each tenant namespace through which the operator itself works there. */
export const OPERATOR_GRANT_BINDING = 'findash-operator';

export function ownerReference(tenant: Tenant): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: tenant.metadata.name ?? '',
    uid: tenant.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

function labels(tenant: Tenant): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'findash',
    'app.kubernetes.io/part-of': 'findash',
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [TENANT_LABEL]: tenant.metadata.name ?? '',
  };
}

/** Metadata of an object in the tenant's namespace, owned by the Tenant and labelled as its (plus `extra`). */
function tenantNamespaced(
  tenant: Tenant,
  name: string,
  extra: { readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> } = {},
) {
  return {
    name,
    namespace: tenantNamespace(tenant.metadata.name ?? ''),
    labels: { ...labels(tenant), ...extra.labels },
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
    ownerReferences: [ownerReference(tenant)],
  };
}

/** A RoleBinding in the tenant's namespace: both the owners' and the operator's own are this shape. */
function tenantRoleBinding(
  tenant: Tenant,
  name: string,
  roleRef: RoleBinding['roleRef'],
  subjects: RbacSubject[],
): RoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: tenantNamespaced(tenant, name),
    roleRef,
    subjects,
  };
}

/** Owners are admins of their tenant; a member listed with a higher role keeps the higher one. */
export function desiredTenant(tenant: Tenant): DesiredTenant {
  const spec = tenant.spec;
  const rank: Record<FindashRole, number> = { viewer: 0, analyst: 1, admin: 2 };
  const bindings = new Map<string, FindashRole>();
  const grant = (s: Subject, role: FindashRole): void => {
    const key = subjectKey(s.kind, s.name, s.namespace || undefined);
    const current = bindings.get(key);
    if (current === undefined || rank[role] > rank[current]) bindings.set(key, role);
  };
  for (const member of spec.members ?? []) grant(member, member.role);
  for (const owner of spec.owners) grant(owner, 'admin');
  return {
    k8sUid: tenant.metadata.uid ?? '',
    name: tenant.metadata.name ?? '',
    type: spec.type,
    displayName: spec.displayName,
    baseCurrency: spec.baseCurrency,
    timezone: spec.timezone ?? SPEC_DEFAULTS.timezone,
    suspended: spec.suspended ?? SPEC_DEFAULTS.suspended,
    limits: { ...spec.limits },
    bindings,
    clients: new Map((spec.apiClients ?? []).map((c) => [c.name, c.role])),
  };
}

export function desiredNamespace(tenant: Tenant): Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: tenantNamespace(tenant.metadata.name ?? ''),
      labels: labels(tenant),
      ownerReferences: [ownerReference(tenant)],
    },
  };
}

export interface CredentialInput {
  readonly client: string;
  readonly role: string;
  readonly token: string;
  readonly tokenId: string;
  readonly issuedAt: Date;
  readonly tenantId: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** The token/Secret contract: keys token, tenant, tenantId, client, role and (if configured) apiUrl. */
export function desiredSecret(tenant: Tenant, cred: CredentialInput, apiUrl: string | undefined): Secret {
  const data: Record<string, string> = {
    token: b64(cred.token),
    tenant: b64(tenant.metadata.name ?? ''),
    tenantId: b64(cred.tenantId),
    client: b64(cred.client),
    role: b64(cred.role),
  };
  if (apiUrl) data.apiUrl = b64(apiUrl);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: tenantNamespaced(tenant, credentialsSecretName(cred.client), {
      labels: { [API_CLIENT_LABEL]: cred.client },
      annotations: {
        [ISSUED_AT_ANNOTATION]: cred.issuedAt.toISOString(),
        [TOKEN_ID_ANNOTATION]: cred.tokenId,
      },
    }),
    type: 'Opaque',
    data,
  };
}

export function desiredRole(tenant: Tenant): Role {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: tenantNamespaced(tenant, CREDENTIALS_ROLE),
    // The namespace holds nothing but this tenant's credentials Secrets, so get/list on all of
    // them is exactly "the owners may read their tenant's tokens".
    rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
  };
}

function rbacSubject(s: Subject): RbacSubject {
  if (s.kind === 'ServiceAccount')
    return { kind: 'ServiceAccount', name: s.name, namespace: s.namespace ?? '' };
  return { kind: s.kind, apiGroup: 'rbac.authorization.k8s.io', name: s.name };
}

export function desiredRoleBinding(tenant: Tenant): RoleBinding {
  return tenantRoleBinding(
    tenant,
    CREDENTIALS_ROLE_BINDING,
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: CREDENTIALS_ROLE },
    tenant.spec.owners.map(rbacSubject),
  );
}

/** Who the operator is, and the ClusterRole it binds to itself in each tenant namespace. */
export interface OperatorIdentity {
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  readonly tenantNamespaceRole: string;
}

/**
 * The operator's own access to a tenant namespace: its ClusterRole for tenant namespaces, bound to
 * its ServiceAccount there only. Its cluster-wide rights stop at creating this binding (and the
 * admission policy in rbac/ refuses any other binding it might try to create).
 */
export function desiredOperatorGrant(tenant: Tenant, identity: OperatorIdentity): RoleBinding {
  return tenantRoleBinding(
    tenant,
    OPERATOR_GRANT_BINDING,
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: identity.tenantNamespaceRole },
    [
      {
        kind: 'ServiceAccount',
        name: identity.serviceAccount.name,
        namespace: identity.serviceAccount.namespace,
      },
    ],
  );
}
