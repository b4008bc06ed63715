import type { Role } from './auth/roles.js';

/** Who is acting, for whom: passed from the API (or CLI, operator) into every domain call. */
export interface ActorContext {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly tenantType: 'user' | 'organization';
  /** "token:<name>", "jwt:<subject>", "cli", "operator" … recorded in the audit log. */
  readonly actor: string;
  readonly role: Role;
  readonly requestId?: string;
}
