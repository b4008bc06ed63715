import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Command } from 'commander';
import type { Knex } from 'knex';

import { registerTenantCommand } from '../../app/cli/tenant-command.js';
import { createKnex } from '../../app/db/knex.js';
import { asPlatform } from '../../app/db/tenant-scope.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

describe('findash tenant create', () => {
  let db: TestDatabase;
  let owner: Knex;
  const saved = { owner: process.env.DATABASE_OWNER_URL };

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = createKnex({ url: db.ownerUrl });
    process.env.DATABASE_OWNER_URL = db.ownerUrl;
  });
  afterAll(async () => {
    if (saved.owner === undefined) delete process.env.DATABASE_OWNER_URL;
    else process.env.DATABASE_OWNER_URL = saved.owner;
    await owner.destroy();
    await db.drop();
  });

  function program(): Command {
    const p = new Command().exitOverride();
    registerTenantCommand(p);
    const all = (c: Command): void => {
      for (const s of c.commands) {
        s.exitOverride();
        all(s);
      }
    };
    all(p);
    return p;
  }

  async function run(args: string[]): Promise<{ error: unknown; stderr: string }> {
    let stderr = '';
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await program().parseAsync(args, { from: 'user' });
      return { error: null, stderr };
    } catch (error) {
      return { error, stderr };
    } finally {
      err.mockRestore();
      log.mockRestore();
    }
  }

  const count = async (name: string): Promise<number> =>
    (await asPlatform(owner, (trx) => trx('tenants').where({ name }).select('id'))).length;

  it('refuses an unknown --type, lists the allowed values and creates nothing', async () => {
    const { error, stderr } = await run(['tenant', 'create', 'typo-type', '--type', 'orgnization']);
    expect(error).toMatchObject({ code: 'commander.invalidArgument', exitCode: 1 });
    expect(stderr).toMatch(/Allowed choices are user, organization/);
    expect(await count('typo-type')).toBe(0);
  });

  it('still creates a user tenant with --type user', async () => {
    const { error } = await run(['tenant', 'create', 'a-user', '--type', 'user']);
    expect(error).toBeNull();
    const row = await asPlatform(owner, (trx) => trx('tenants').where({ name: 'a-user' }).first('type'));
    expect(row).toEqual({ type: 'user' });
  });

  it('refuses a bad name with a one-line rule instead of the SQL constraint error', async () => {
    const { error } = await run(['tenant', 'create', 'Bad_Name']);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/invalid tenant name "Bad_Name".*DNS-label.*lowercase letters, digits or "-"/);
    expect(message).not.toMatch(/insert into|constraint|violates/i);
    expect(message.split('\n')).toHaveLength(1);
    expect(await count('Bad_Name')).toBe(0);
  });

  it('names the database it tried and how to start one when nothing listens', async () => {
    process.env.DATABASE_OWNER_URL = 'postgres://someone:s3cret-pw@127.0.0.1:1/nodb';
    try {
      const { error } = await run(['tenant', 'list']);
      const message = (error as Error).message;
      expect(message).toContain('127.0.0.1:1/nodb');
      expect(message).toContain('ECONNREFUSED');
      expect(message).toMatch(/npm start.*embedded PostgreSQL.*DATABASE_URL/);
      expect(message).not.toContain('s3cret-pw');
    } finally {
      process.env.DATABASE_OWNER_URL = db.ownerUrl;
    }
  });
});
