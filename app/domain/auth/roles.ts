/** The roles, from least to most: each may do all the one before it may (GRANTS). */
export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'dashboard:read',
  'transactions:read',
  'ledger:read',
  'ledger:write',
  'audit:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * What each role may do: a viewer reads the dashboards; an analyst also reads transactions and
 * the ledger; an admin also writes the ledger and reads the audit log.
 */
const GRANTS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['dashboard:read'],
  analyst: ['dashboard:read', 'transactions:read', 'ledger:read'],
  admin: ['dashboard:read', 'transactions:read', 'ledger:read', 'ledger:write', 'audit:read'],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
