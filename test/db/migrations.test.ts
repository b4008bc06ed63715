import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { createKnex } from '../../app/db/knex.js';
import { migrateLatest, migrateRollbackAll, migrationStatus } from '../../app/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

describe('migrations', () => {
  let db: TestDatabase;
  let owner: Knex;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    owner = createKnex({ url: db.ownerUrl });
  });
  afterAll(async () => {
    await owner.destroy();
    await db.drop();
  });

  it('run up, all the way down, and up again', async () => {
    const first = await migrateLatest(owner);
    expect(first.length).toBeGreaterThanOrEqual(6);
    const tablesUp = await owner.raw<{ rows: unknown[] }>(
      `select tablename from pg_tables where schemaname = 'public' and tablename not like 'knex_%'`,
    );
    expect(tablesUp.rows.length).toBeGreaterThanOrEqual(12);

    const reverted = await migrateRollbackAll(owner);
    expect(reverted.length).toBe(first.length);
    const tablesDown = await owner.raw<{ rows: unknown[] }>(
      `select tablename from pg_tables where schemaname = 'public' and tablename not like 'knex_%'`,
    );
    expect(tablesDown.rows).toEqual([]);

    const again = await migrateLatest(owner);
    expect(again).toEqual(first);
    expect((await migrationStatus(owner)).pending).toEqual([]);
  });

  it('forces row-level security on every tenant-owned table', async () => {
    const result = await owner.raw<{
      rows: Array<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>;
    }>(`
      select c.relname, c.relrowsecurity, c.relforcerowsecurity
        from pg_class c join pg_attribute a on a.attrelid = c.oid
       where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace and a.attname = 'tenant_id'`);
    expect(result.rows.length).toBeGreaterThanOrEqual(10);
    for (const row of result.rows) {
      expect({ table: row.relname, rls: row.relrowsecurity, forced: row.relforcerowsecurity }).toEqual({
        table: row.relname,
        rls: true,
        forced: true,
      });
    }
  });
});
