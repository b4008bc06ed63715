import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { createAccount, getAccount } from '../../../app/domain/ledger/accounts.js';
import { voidTransaction } from '../../../app/domain/ledger/transaction-status.js';
import { createTransactions } from '../../../app/domain/ledger/transactions.js';
import { createTransfer } from '../../../app/domain/ledger/transfers.js';
import { daysAgo, ledgerFixture, type LedgerFixture } from './fixtures.js';

/**
 * Writes touching the same accounts in opposite orders (transfers A→B and B→A, batches over
 * both, voids of transfer legs) run at once without deadlocks: each write locks its accounts
 * in id order before the balance trigger updates them.
 */
describe('concurrent ledger writes (real PostgreSQL)', () => {
  let fx: LedgerFixture;

  beforeAll(async () => {
    fx = await ledgerFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  it('never deadlock and keep every balance exact', async () => {
    const ctx = await fx.tenant();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push(
        (
          await fx.as(ctx, (trx) =>
            createAccount(trx, ctx, { name: `c${i}`, account_type: 'cash', currency: 'USD' }),
          )
        ).id,
      );
    }
    const [a, b, c] = ids as [string, string, string];
    const first = await fx.as(ctx, (trx) =>
      createTransfer(trx, ctx, {
        from_account_id: a,
        to_account_id: b,
        amount: '1.00',
        currency: 'USD',
        occurred_at: daysAgo(0),
      }),
    );
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 40; i += 1) {
      const [from, to] = [
        [a, b],
        [b, a],
        [c, a],
        [b, c],
      ][i % 4] as [string, string];
      work.push(
        fx.as(ctx, (trx) =>
          createTransfer(trx, ctx, {
            from_account_id: from,
            to_account_id: to,
            amount: '1.00',
            currency: 'USD',
            occurred_at: daysAgo(0),
          }),
        ),
      );
      if (i % 5 === 0) {
        const order = i % 10 === 0 ? [c, b, a] : [a, b, c];
        work.push(
          fx.as(ctx, (trx) =>
            createTransactions(
              trx,
              ctx,
              order.map((account_id) => ({
                account_id,
                amount: '2.00',
                currency: 'USD',
                transaction_type: 'income',
                occurred_at: daysAgo(0),
              })),
            ),
          ),
        );
      }
    }
    work.push(fx.as(ctx, (trx) => voidTransaction(trx, ctx, first.credit.id)));
    const results = await Promise.allSettled(work);
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(failures).toEqual([]);

    // 40 transfers of 1.00: a→b ×10, b→a ×10, c→a ×10, b→c ×10; 8 batches crediting each 2.00; first transfer voided.
    const balances = await Promise.all(
      ids.map(async (id) => (await fx.as(ctx, (trx) => getAccount(trx, id))).balance),
    );
    expect(balances).toEqual(['26.00', '6.00', '16.00']);
  });
});
