import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DBError } from 'objection';

import { CONNECTION_ERROR_CODES } from '../../app/db/connection-errors.js';
import { createKnex } from '../../app/db/knex.js';
import { Account } from '../../app/db/models/index.js';
import { createAccount } from '../../app/domain/ledger/accounts.js';
import { dbErrorKind } from '../../app/db/error-kind.js';
import { classifyError } from '../../app/http/error-response.js';
import { ledgerFixture, type LedgerFixture } from '../domain/ledger/fixtures.js';
import { freePort } from '../harness/ports.js';

/** What a failure caught from objection, which wraps pg's errors, answers: the same as pg's own. */
describe('classifyError on errors objection wrapped', () => {
  let f: LedgerFixture;

  beforeAll(async () => {
    f = await ledgerFixture();
  });
  afterAll(async () => f.close());

  async function failure(work: () => Promise<unknown>): Promise<unknown> {
    try {
      await work();
    } catch (error) {
      return error;
    }
    throw new Error('expected the query to fail');
  }

  it('answers a unique violation from an objection query 409, as the raw pg error it wraps', async () => {
    const ctx = await f.tenant();
    const error = await failure(() =>
      f.as(ctx, async (trx) => {
        const account = await createAccount(trx, ctx, { name: 'a', account_type: 'cash', currency: 'USD' });
        await Account.query(trx).insert({
          id: account.id,
          tenant_id: ctx.tenantId,
          name: 'b',
          account_type: 'cash',
          currency: 'USD',
        });
      }),
    );
    expect(error).toBeInstanceOf(DBError);
    const native = (error as { nativeError?: { code?: string } }).nativeError;
    expect(native?.code).toBe('23505');
    expect(classifyError(error)).toEqual(classifyError(native));
    expect(classifyError(error)).toMatchObject({ statusCode: 409 });
  });

  it('answers an unreachable database 503 whether or not objection wrapped the error', async () => {
    const dead = createKnex({ url: `postgres://nobody:x@127.0.0.1:${await freePort()}/none` });
    try {
      const error = await failure(async () => Account.query(dead).first());
      // objection's DBError (db-errors) takes { nativeError, client }; its typings only know Error's.
      const Wrapper = DBError as unknown as new (args: { nativeError: unknown; client: string }) => Error;
      const wrapped = new Wrapper({ nativeError: error, client: 'postgres' });
      for (const candidate of [error, wrapped]) {
        expect(classifyError(candidate)).toMatchObject({ statusCode: 503 });
      }
    } finally {
      await dead.destroy();
    }
  });
});

describe('the connection error codes', () => {
  it('are one list: each answers 503 and counts as a connection error in the metrics', () => {
    expect([...CONNECTION_ERROR_CODES]).toEqual(expect.arrayContaining(['ECONNREFUSED', 'EAI_AGAIN']));
    for (const code of CONNECTION_ERROR_CODES) {
      const error = Object.assign(new Error(`connect ${code}`), { code });
      expect([code, classifyError(error).statusCode]).toEqual([code, 503]);
      expect([code, dbErrorKind(error)]).toEqual([code, 'connection']);
    }
  });
});
