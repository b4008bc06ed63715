import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { announceOnCommit, onAuditCommitted } from '../../app/audit/committed-actions.js';
import { createKnex } from '../../app/db/knex.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

/**
 * What findash_audit_events_total counts is told by the audit writer, not read from SQL text:
 * the actions of a transaction are heard once its outermost transaction commits, never when it
 * rolls back, and only by the listeners of the pool it came from.
 */
describe('audit actions heard at commit', () => {
  let db: TestDatabase;
  let knex: Knex;
  let other: Knex;
  const heard: string[] = [];
  const heardElsewhere: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    knex = createKnex({ url: db.ownerUrl });
    other = createKnex({ url: db.ownerUrl });
    onAuditCommitted(knex, (actions) => heard.push(...actions));
    onAuditCommitted(other, (actions) => heardElsewhere.push(...actions));
  });
  afterAll(async () => {
    await knex.destroy();
    await other.destroy();
    await db.drop();
  });

  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('tells after the commit, not before', async () => {
    heard.length = 0;
    await knex.transaction(async (trx) => {
      announceOnCommit(trx, ['account.create']);
      await settle();
      expect(heard).toEqual([]);
    });
    await settle();
    expect(heard).toEqual(['account.create']);
    expect(heardElsewhere).toEqual([]);
  });

  it('tells nothing of a transaction that rolls back', async () => {
    heard.length = 0;
    await expect(
      knex.transaction(async (trx) => {
        announceOnCommit(trx, ['transaction.create']);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await settle();
    expect(heard).toEqual([]);
  });

  it('waits for the outermost transaction when written in a savepoint', async () => {
    heard.length = 0;
    await expect(
      knex.transaction(async (trx) => {
        await trx.transaction(async (inner) => {
          announceOnCommit(inner, ['budget.create']);
        });
        await settle();
        throw new Error('outer rolls back');
      }),
    ).rejects.toThrow('outer rolls back');
    await settle();
    expect(heard).toEqual([]);
  });
});
