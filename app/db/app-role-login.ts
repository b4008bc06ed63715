import type { Knex } from 'knex';
import pg from 'pg';

import { appRoleName } from '../../migrations/app-role.js';

/** `alter role` giving the API's role its login password; a utility statement takes no bind parameters. */
export function appRoleLoginSql(role: string, password: string): string {
  return `alter role ${role} with login nobypassrls password '${password.replace(/'/g, "''")}'`;
}

/** True when DATABASE_URL already logs in (a platform or an earlier run set the role up). */
async function logsIn(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    // 28P01 wrong password, 28000 role may not log in: ours to fix. Anything else (unreachable) is not.
    const code = (error as { code?: string }).code;
    if (code === '28P01' || code === '28000') return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * After migrations (which create the API's role without a login), give that role the password of
 * DATABASE_URL when DATABASE_URL names it and does not log in yet: the manifests' single source for the API's
 * credentials. Returns the role changed, or undefined when there was nothing to do (DATABASE_URL unset, naming
 * another user, without a password, or already logging in).
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
  if (await logsIn(databaseUrl)) return undefined;
  try {
    await knex.raw(appRoleLoginSql(role, password));
  } catch (error) {
    if ((error as { code?: string }).code !== '42501') throw error;
    throw new Error(
      `role ${role} cannot log in with DATABASE_URL's password, and the migration user may not change it ` +
        `(no CREATEROLE): create ${role} with LOGIN and that password, or let the platform manage the role`,
    );
  }
  return role;
}
