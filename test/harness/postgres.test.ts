import { describe, expect, it } from '@jest/globals';
import pg from 'pg';

import { createTestDatabase } from './postgres.js';

describe('test databases', () => {
  it('can be created by many test files at once, each migrated and usable by the API role', async () => {
    const dbs = await Promise.all(Array.from({ length: 8 }, () => createTestDatabase()));
    try {
      expect(new Set(dbs.map((d) => d.name)).size).toBe(8);
      for (const db of dbs) {
        const client = new pg.Client({ connectionString: db.appUrl });
        await client.connect();
        const { rows } = await client.query<{ n: number }>('select count(*)::int as n from accounts');
        await client.end();
        expect(rows).toEqual([{ n: 0 }]);
      }
    } finally {
      await Promise.all(dbs.map((d) => d.drop()));
    }
  });
});
