import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Command } from 'commander';
import type { Knex } from 'knex';

import { registerSeedCommand } from '../../app/cli/seed-command.js';
import { createKnex } from '../../app/db/knex.js';
import { asPlatform, setTenant } from '../../app/db/tenant-scope.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

describe('findash seed', () => {
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
    registerSeedCommand(p);
    p.commands.forEach((c) => c.exitOverride());
    return p;
  }

  it('seeds the requested tenants and transactions and lists them', async () => {
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.join(' '));
    });
    try {
      await program().parseAsync(
        ['seed', '--tenants', '2', '--transactions', '250', '--seed', '9', '--prefix', 'cli'],
        {
          from: 'user',
        },
      );
    } finally {
      log.mockRestore();
    }
    const tenants = await asPlatform(owner, (trx) =>
      trx('tenants')
        .whereLike('name', 'cli-%')
        .orderBy('name')
        .select<Array<{ id: string; name: string }>>('id', 'name'),
    );
    expect(tenants.map((t) => t.name)).toEqual(['cli-1', 'cli-2']);
    for (const tenant of tenants) {
      const count = await owner.transaction(async (trx) => {
        await setTenant(trx, tenant.id);
        return (await trx('transactions').count<Array<{ count: number }>>('* as count'))[0]?.count;
      });
      expect(count).toBe(250);
      expect(lines.join('\n')).toContain(tenant.id);
    }
  });

  it('refuses a bad count with a message naming the option', async () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(program().parseAsync(['seed', '--tenants', 'many'], { from: 'user' })).rejects.toThrow(
        /--tenants must be an integer/,
      );
    } finally {
      err.mockRestore();
    }
  });
});
