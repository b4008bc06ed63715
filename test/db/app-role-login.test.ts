// The manifests hand the API a DATABASE_URL for its role and run `findash migrate` as the owner first. The
// migrations create that role without a login, so unless migrate gives it DATABASE_URL's password the API's
// every query fails with "password authentication failed" (found running development as real Pods).
import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import pg from 'pg';

import { grantAppRoleLogin } from '../../app/db/app-role-login.js';
import { createKnex } from '../../app/db/knex.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

describe("migrate gives the API's role DATABASE_URL's password", () => {
  let db: TestDatabase;
  let superuser: Knex;
  const role = `t_app_${randomBytes(4).toString('hex')}`;
  const saved = process.env.DATABASE_APP_ROLE;

  beforeAll(async () => {
    db = await createTestDatabase();
    superuser = createKnex({ url: db.superuserUrl });
    // Its own role, so the shared test role's password never changes under other test files.
    await superuser.raw(`create role ${role} nologin nobypassrls`);
    process.env.DATABASE_APP_ROLE = role;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.DATABASE_APP_ROLE;
    else process.env.DATABASE_APP_ROLE = saved;
    await superuser.raw(`drop role if exists ${role}`);
    await superuser.destroy();
    await db.drop();
  });

  const urlFor = (user: string, password: string) => {
    const url = new URL(db.superuserUrl);
    url.username = user;
    url.password = password;
    return url.toString();
  };
  const canLogIn = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  it('the role logs in with the password afterwards, not before', async () => {
    const url = urlFor(role, "it's-a-secret");
    expect(await canLogIn(url)).toBe(false);
    expect(await grantAppRoleLogin(superuser, url)).toBe(role);
    expect(await canLogIn(url)).toBe(true);
    // Already logging in: nothing to change (an owner without CREATEROLE must not fail on every migrate).
    expect(await grantAppRoleLogin(superuser, url)).toBeUndefined();
  });

  it('explains what to do when the migration user may not change the role', async () => {
    const owner = createKnex({ url: db.ownerUrl });
    try {
      await expect(grantAppRoleLogin(owner, urlFor(role, 'another-password'))).rejects.toThrow(
        new RegExp(`create ${role} with LOGIN`),
      );
    } finally {
      await owner.destroy();
    }
  });

  it('leaves roles alone when DATABASE_URL is unset, names another user or has no password', async () => {
    expect(await grantAppRoleLogin(superuser, undefined)).toBeUndefined();
    expect(await grantAppRoleLogin(superuser, urlFor('someone_else', 'pw'))).toBeUndefined();
    expect(await grantAppRoleLogin(superuser, urlFor(role, ''))).toBeUndefined();
  });

  it('refuses a DATABASE_URL that is not a URL, saying what it should be', async () => {
    await expect(grantAppRoleLogin(superuser, 'not a url')).rejects.toThrow(
      /postgres:\/\/user:password@host/,
    );
  });
});
