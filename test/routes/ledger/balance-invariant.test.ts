import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { fromScaled, toScaled } from '../../../app/domain/money/decimal.js';
import { startLedgerApp, type LedgerApp, type LedgerClient, type PageBody } from './client.js';

/**
 * The balance invariant as an API client sees it: after random creates (some retried with the
 * same Idempotency-Key), batches, transfers, voids and postings, every account's balance equals
 * the sum of its posted transactions as listed by GET /financial/transactions.
 */
interface Tx {
  id: string;
  amount: string;
  direction: 'credit' | 'debit';
  status: string;
  transfer_id: string | null;
}

type Op =
  | { kind: 'create'; account: number; cents: number; income: boolean; pending: boolean; retry: boolean }
  | { kind: 'batch'; entries: Array<{ account: number; cents: number; income: boolean }> }
  | { kind: 'transfer'; from: number; to: number; cents: number; pending: boolean }
  | { kind: 'void'; pick: number }
  | { kind: 'post'; pick: number };

const ACCOUNTS = 3;
const account = fc.nat({ max: ACCOUNTS - 1 });
const cents = fc.integer({ min: 1, max: 5_000_000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    account,
    cents,
    income: fc.boolean(),
    pending: fc.boolean(),
    retry: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('batch' as const),
    entries: fc.array(fc.record({ account, cents, income: fc.boolean() }), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('transfer' as const),
    from: account,
    to: account,
    cents,
    pending: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('void' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('post' as const), pick: fc.nat() }),
);

describe('balance invariant through the API (property)', () => {
  let t: LedgerApp;
  beforeAll(async () => {
    t = await startLedgerApp();
  });
  afterAll(async () => t.close());

  async function postedSum(client: LedgerClient, accountId: string): Promise<string> {
    let total = 0n;
    let url = `/financial/transactions?account_id=${accountId}&status=posted&limit=200`;
    for (;;) {
      const page = (await client.get(url)).json<PageBody<Tx>>();
      for (const tx of page.data) total += (tx.direction === 'credit' ? 1n : -1n) * toScaled(tx.amount, 2);
      if (!page.next_cursor) return fromScaled(total, 2);
      url = `/financial/transactions?account_id=${accountId}&status=posted&limit=200&cursor=${page.next_cursor}`;
    }
  }

  it('balance == sum of posted transactions after any sequence of writes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 15 }), async (ops) => {
        run += 1;
        const tenant = await t.createTenant();
        const admin = t.client(tenant.tokens.admin);
        const ids: string[] = [];
        for (let i = 0; i < ACCOUNTS; i += 1) {
          const res = await admin.post('/financial/accounts', {
            name: `a${i}`,
            account_type: 'checking',
            currency: 'USD',
          });
          ids.push(res.json<{ id: string }>().id);
        }
        const created: string[] = [];
        const money = (c: number) => fromScaled(BigInt(c), 2);
        const when = new Date(Date.UTC(2026, 9, 1)).toISOString();

        for (const [i, op] of ops.entries()) {
          if (op.kind === 'create') {
            const body = {
              account_id: ids[op.account],
              amount: money(op.cents),
              currency: 'USD',
              transaction_type: op.income ? 'income' : 'expense',
              status: op.pending ? 'pending' : 'posted',
              occurred_at: when,
            };
            const headers = { 'idempotency-key': `run-${run}-op-${i}` };
            const res = await admin.post('/financial/transactions', body, headers);
            expect(res.statusCode).toBe(201);
            if (op.retry) {
              const again = await admin.post('/financial/transactions', body, headers);
              expect([again.statusCode, again.json<Tx>().id]).toEqual([201, res.json<Tx>().id]);
            }
            created.push(res.json<Tx>().id);
          } else if (op.kind === 'batch') {
            const res = await admin.post('/financial/transactions/batch', {
              transactions: op.entries.map((e) => ({
                account_id: ids[e.account],
                amount: money(e.cents),
                currency: 'USD',
                transaction_type: e.income ? 'income' : 'expense',
                occurred_at: when,
              })),
            });
            expect(res.statusCode).toBe(201);
            created.push(...res.json<{ transactions: Tx[] }>().transactions.map((x) => x.id));
          } else if (op.kind === 'transfer') {
            const res = await admin.post('/financial/transfers', {
              from_account_id: ids[op.from],
              to_account_id: ids[op.to],
              amount: money(op.cents),
              currency: 'USD',
              status: op.pending ? 'pending' : 'posted',
              occurred_at: when,
            });
            expect(res.statusCode).toBe(op.from === op.to ? 400 : 201);
            if (res.statusCode === 201) created.push(res.json<{ debit: Tx }>().debit.id);
          } else if (created.length > 0) {
            const id = created[op.pick % created.length];
            const res = await admin.post(`/financial/transactions/${id}/${op.kind}`);
            expect([200, 409]).toContain(res.statusCode);
          }
        }

        for (const id of ids) {
          const stored = (await admin.get(`/financial/accounts/${id}`)).json<{ balance: string }>().balance;
          expect(stored).toBe(await postedSum(admin, id));
        }
        const balances = await Promise.all(
          ids.map(async (id) =>
            toScaled((await admin.get(`/financial/accounts/${id}`)).json<{ balance: string }>().balance, 2),
          ),
        );
        // Transfers move money between accounts; only income and expense change the total.
        const total = balances.reduce((a, b) => a + b, 0n);
        let expected = 0n;
        let url = '/financial/transactions?status=posted&limit=200';
        for (;;) {
          const page = (await admin.get(url)).json<PageBody<Tx & { transaction_type: string }>>();
          for (const tx of page.data) {
            if (tx.transaction_type !== 'transfer')
              expected += (tx.direction === 'credit' ? 1n : -1n) * toScaled(tx.amount, 2);
          }
          if (!page.next_cursor) break;
          url = `/financial/transactions?status=posted&limit=200&cursor=${page.next_cursor}`;
        }
        expect(total).toBe(expected);
      }),
      { numRuns: 15 },
    );
  }, 300_000);
});
