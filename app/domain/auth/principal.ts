import type { ActorContext } from '../context.js';
import { DomainError, ForbiddenError } from '../errors.js';
import { can, isRole, type Permission } from './roles.js';

/** A resolved identity before the permission check: who, for which tenant, in which state. */
export interface Principal extends ActorContext {
  readonly tenantStatus: string;
  readonly rateLimitRpm: number | null;
  /** `${tenantId}:${actor}`, made once per resolution: the key for findash_active_users. */
  readonly subject: string;
}

/** What a credential lookup (API token or JWT subject) returns about its tenant and role. */
export interface PrincipalRow {
  tenant_id: string;
  tenant_name: string;
  tenant_type: 'user' | 'organization';
  tenant_status: string;
  role: string;
  rate_limit_rpm: number | null;
}

/** The principal of a looked-up credential, or null if its role is unknown. */
export function principalFrom(row: PrincipalRow, actor: string): Principal | null {
  if (!isRole(row.role)) return null;
  return {
    tenantId: row.tenant_id,
    tenantName: row.tenant_name,
    tenantType: row.tenant_type,
    tenantStatus: row.tenant_status,
    role: row.role,
    actor,
    rateLimitRpm: row.rate_limit_rpm,
    subject: `${row.tenant_id}:${actor}`,
  };
}

/** Admits a principal for `permission`: its tenant must be active and its role must have it. */
export function checkAdmission(
  principal: Principal | null,
  permission: Permission,
): asserts principal is Principal {
  if (!principal) throw new DomainError(401, 'invalid or revoked token');
  if (principal.tenantStatus === 'suspended') {
    throw new ForbiddenError(
      `tenant ${principal.tenantName} is suspended; contact your platform administrator`,
    );
  }
  if (principal.tenantStatus !== 'active')
    throw new DomainError(401, `tenant ${principal.tenantName} no longer exists`);
  if (!can(principal.role, permission)) {
    throw new ForbiddenError(`role ${principal.role} lacks the ${permission} permission`);
  }
}
