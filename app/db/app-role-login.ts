import type { Knex } from 'knex';

import { appRoleName } from '../../migrations/app-role.js';

/** `alter role` giving the API's role its login password; a utility statement takes no bind parameters. */
export function appRoleLoginSql(role: string, password: string): string {
  return `alter role ${role} with login nobypassrls password '${password.replace(/'/g, "''")}'`;
}

/**
 * After migrations (which create the API's role without a login), give that role the password of
 * DATABASE_URL when DATABASE_URL names it: the manifests' single source for the API's credentials. Returns
 * the role changed, or undefined when DATABASE_URL is unset, names another user or carries no password.
 */
export async function grantAppRoleLogin(
  knex: Knex,
  databaseUrl: string | undefined,
): Promise<string | undefined> {
  if (!databaseUrl) return undefined;
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('DATABASE_URL is not a URL (postgres://user:password@host:port/database)');
  }
  const role = appRoleName();
  const password = decodeURIComponent(url.password);
  if (decodeURIComponent(url.username) !== role || password === '') return undefined;
  await knex.raw(appRoleLoginSql(role, password));
  return role;
}
