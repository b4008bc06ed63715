import type { Knex } from 'knex';

import type { Role } from '../auth/roles.js';

/** A Tenant's members (spec.owners, spec.members) as rbac_bindings rows: subject → role. */
export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

/**
 * The rbac_bindings.subject for a Kubernetes subject, in the form the API's authenticators look
 * up: a User is its name as is (the JWT `sub`), a ServiceAccount its Kubernetes username
 * `system:serviceaccount:<namespace>:<name>` (the `sub` of its tokens), a Group `group:<name>`.
 */
export function subjectKey(kind: SubjectKind, name: string, namespace?: string): string {
  switch (kind) {
    case 'User':
      return name;
    case 'Group':
      return `group:${name}`;
    case 'ServiceAccount':
      return `system:serviceaccount:${namespace ?? ''}:${name}`;
  }
}

/** Makes the tenant's rbac_bindings exactly `desired`, counting what it added, removed and changed. */
export async function syncBindings(
  trx: Knex.Transaction,
  tenantId: string,
  desired: ReadonlyMap<string, Role>,
): Promise<{ added: number; removed: number; changed: number }> {
  const rows = await trx('rbac_bindings')
    .where({ tenant_id: tenantId })
    .select<Array<{ subject: string; role: Role }>>('subject', 'role');
  const current = new Map(rows.map((r) => [r.subject, r.role]));
  const remove = [...current.keys()].filter((s) => !desired.has(s));
  const add = [...desired].filter(([s]) => !current.has(s));
  const change = [...desired].filter(([s, role]) => current.has(s) && current.get(s) !== role);
  if (remove.length > 0) {
    await trx('rbac_bindings').where({ tenant_id: tenantId }).whereIn('subject', remove).delete();
  }
  if (add.length > 0) {
    await trx('rbac_bindings').insert(add.map(([subject, role]) => ({ tenant_id: tenantId, subject, role })));
  }
  for (const [subject, role] of change) {
    await trx('rbac_bindings').where({ tenant_id: tenantId, subject }).update({ role });
  }
  return { added: add.length, removed: remove.length, changed: change.length };
}
