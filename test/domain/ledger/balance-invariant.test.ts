import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { createAccount, updateAccount } from '../../../app/domain/ledger/accounts.js';
import { postTransaction, voidTransaction } from '../../../app/domain/ledger/transaction-status.js';
import {
  createTransaction,
  createTransactions,
  type NewTransaction,
} from '../../../app/domain/ledger/transactions.js';
import { createTransfer } from '../../../app/domain/ledger/transfers.js';
import type { ActorContext } from '../../../app/domain/context.js';
import { currencyExponent } from '../../../app/domain/money/currency.js';
import { fromScaled, toScaled } from '../../../app/domain/money/decimal.js';
import { ledgerFixture, type LedgerFixture } from './fixtures.js';

/**
 * DESIGN §4: an account's balance equals the sum of its posted transactions, always. Random
 * sequences of creates, batches, transfers, voids, pending→posted and (de)activations run
 * against the real triggers; after every step the stored balance, the sum over raw rows, the
 * daily and monthly rollups and an independent in-memory model must all agree.
 */
const CURRENCIES = ['USD', 'USD', 'USD', 'JPY', 'KWD'] as const;
const SCALE = 4;

type Entry = { account: number; minor: bigint; type: 'income' | 'expense'; pending: boolean; day: number };
type Op =
  | { kind: 'create'; entry: Entry }
  | { kind: 'batch'; entries: Entry[] }
  | { kind: 'transfer'; from: number; to: number; minor: bigint; pending: boolean; day: number }
  | { kind: 'void'; pick: number }
  | { kind: 'post'; pick: number }
  | { kind: 'toggle'; account: number };

const entryArb: fc.Arbitrary<Entry> = fc.record({
  account: fc.nat({ max: CURRENCIES.length - 1 }),
  minor: fc.bigInt({ min: 1n, max: 10n ** 12n }),
  type: fc.constantFrom('income' as const, 'expense' as const),
  pending: fc.boolean(),
  day: fc.nat({ max: 60 }),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: entryArb.map((entry) => ({ kind: 'create' as const, entry })) },
  {
    weight: 2,
    arbitrary: fc
      .array(entryArb, { minLength: 1, maxLength: 12 })
      .map((entries) => ({ kind: 'batch' as const, entries })),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('transfer' as const),
      from: fc.nat({ max: CURRENCIES.length - 1 }),
      to: fc.nat({ max: CURRENCIES.length - 1 }),
      minor: fc.bigInt({ min: 1n, max: 10n ** 10n }),
      pending: fc.boolean(),
      day: fc.nat({ max: 60 }),
    }),
  },
  { weight: 3, arbitrary: fc.nat().map((pick) => ({ kind: 'void' as const, pick })) },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ kind: 'post' as const, pick })) },
  {
    weight: 1,
    arbitrary: fc
      .nat({ max: CURRENCIES.length - 1 })
      .map((account) => ({ kind: 'toggle' as const, account })),
  },
);

interface ModelTx {
  id: string;
  account: number;
  signed: bigint; // at SCALE, credit positive
  status: 'pending' | 'posted' | 'void';
  transferId: string | null;
}

function money(minor: bigint, currency: string): string {
  return fromScaled(minor, currencyExponent(currency));
}

function occurredAt(day: number): string {
  return new Date(Date.UTC(2026, 8, 1) + day * 86_400_000 + 13 * 3_600_000).toISOString();
}

describe('balance invariant under random ledger operations (property, real PostgreSQL)', () => {
  let fx: LedgerFixture;

  beforeAll(async () => {
    fx = await ledgerFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  async function checkInvariant(ctx: ActorContext, accountIds: string[], model: ModelTx[]): Promise<void> {
    const stored = await fx.superuser.raw<{
      rows: Array<{ id: string; balance: string; posted: string; live: number }>;
    }>(
      `select a.id, a.balance::text as balance,
              coalesce(sum(case when t.direction = 'credit' then t.amount else -t.amount end)
                       filter (where t.status = 'posted'), 0)::text as posted,
              count(t.id) filter (where t.status <> 'void')::int as live
         from accounts a left join transactions t on t.tenant_id = a.tenant_id and t.account_id = a.id
        where a.tenant_id = ? group by a.id`,
      [ctx.tenantId],
    );
    const rollups = async (table: string) =>
      (
        await fx.superuser.raw<{ rows: Array<{ account_id: string; posted: string | null; live: number }> }>(
          `select account_id,
                  sum(case when direction = 'credit' then total else -total end) filter (where status = 'posted')::text as posted,
                  sum(count)::int as live
             from ${table} where tenant_id = ? group by account_id`,
          [ctx.tenantId],
        )
      ).rows;
    const daily = new Map((await rollups('transaction_rollups_daily')).map((r) => [r.account_id, r]));
    const monthly = new Map((await rollups('transaction_rollups_monthly')).map((r) => [r.account_id, r]));

    for (const row of stored.rows) {
      const index = accountIds.indexOf(row.id);
      const mine = model.filter((t) => t.account === index);
      const expected = mine.filter((t) => t.status === 'posted').reduce((s, t) => s + t.signed, 0n);
      const live = mine.filter((t) => t.status !== 'void').length;
      const observed = {
        balance: toScaled(row.balance, SCALE),
        rawSum: toScaled(row.posted, SCALE),
        daily: toScaled(daily.get(row.id)?.posted ?? '0', SCALE),
        monthly: toScaled(monthly.get(row.id)?.posted ?? '0', SCALE),
        rawLive: row.live,
        dailyLive: daily.get(row.id)?.live ?? 0,
        monthlyLive: monthly.get(row.id)?.live ?? 0,
      };
      expect(observed).toEqual({
        balance: expected,
        rawSum: expected,
        daily: expected,
        monthly: expected,
        rawLive: live,
        dailyLive: live,
        monthlyLive: live,
      });
    }
  }

  it('holds after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const ctx = await fx.tenant({ timezone: 'America/New_York' });
        const accountIds: string[] = [];
        for (const [i, currency] of CURRENCIES.entries()) {
          const a = await fx.as(ctx, (trx) =>
            createAccount(trx, ctx, { name: `acct ${i}`, account_type: 'checking', currency }),
          );
          accountIds.push(a.id);
        }
        const active = CURRENCIES.map(() => true);
        const model: ModelTx[] = [];
        const toInput = (e: Entry): NewTransaction => {
          const currency = CURRENCIES[e.account] ?? 'USD';
          return {
            account_id: accountIds[e.account] ?? '',
            amount: money(e.minor, currency),
            currency,
            transaction_type: e.type,
            status: e.pending ? 'pending' : 'posted',
            occurred_at: occurredAt(e.day),
          };
        };
        const remember = (e: Entry, id: string): void => {
          const scaled = e.minor * 10n ** BigInt(SCALE - currencyExponent(CURRENCIES[e.account] ?? 'USD'));
          model.push({
            id,
            account: e.account,
            signed: e.type === 'income' ? scaled : -scaled,
            status: e.pending ? 'pending' : 'posted',
            transferId: null,
          });
        };

        for (const op of ops) {
          if (op.kind === 'create') {
            const attempt = fx.as(ctx, (trx) => createTransaction(trx, ctx, toInput(op.entry)));
            if (active[op.entry.account]) remember(op.entry, (await attempt).id);
            else await expect(attempt).rejects.toMatchObject({ statusCode: 404 });
          } else if (op.kind === 'batch') {
            const attempt = fx.as(ctx, (trx) => createTransactions(trx, ctx, op.entries.map(toInput)));
            if (op.entries.every((e) => active[e.account])) {
              const { transactions } = await attempt;
              op.entries.forEach((e, i) => remember(e, transactions[i]?.id ?? ''));
            } else {
              await expect(attempt).rejects.toMatchObject({ statusCode: 404 });
            }
          } else if (op.kind === 'transfer') {
            const currency = CURRENCIES[op.from] ?? 'USD';
            const attempt = fx.as(ctx, (trx) =>
              createTransfer(trx, ctx, {
                from_account_id: accountIds[op.from] ?? '',
                to_account_id: accountIds[op.to] ?? '',
                amount: money(op.minor, currency),
                currency,
                status: op.pending ? 'pending' : 'posted',
                occurred_at: occurredAt(op.day),
              }),
            );
            // Same account is refused before any lookup, an inactive account before its currency.
            if (op.from === op.to) {
              await expect(attempt).rejects.toMatchObject({ statusCode: 400 });
            } else if (!active[op.from] || !active[op.to]) {
              await expect(attempt).rejects.toMatchObject({ statusCode: 404 });
            } else if (CURRENCIES[op.to] !== currency) {
              await expect(attempt).rejects.toMatchObject({ statusCode: 400 });
            } else {
              const t = await attempt;
              const scaled = op.minor * 10n ** BigInt(SCALE - currencyExponent(currency));
              const status = op.pending ? 'pending' : 'posted';
              model.push({
                id: t.debit.id,
                account: op.from,
                signed: -scaled,
                status,
                transferId: t.transfer_id,
              });
              model.push({
                id: t.credit.id,
                account: op.to,
                signed: scaled,
                status,
                transferId: t.transfer_id,
              });
            }
          } else if (op.kind === 'void' || op.kind === 'post') {
            const target = model[op.pick % Math.max(model.length, 1)];
            if (!target) continue;
            const allowed = op.kind === 'void' ? target.status !== 'void' : target.status === 'pending';
            const change = op.kind === 'void' ? voidTransaction : postTransaction;
            const attempt = fx.as(ctx, (trx) => change(trx, ctx, target.id));
            if (!allowed) {
              await expect(attempt).rejects.toMatchObject({ statusCode: 409 });
            } else {
              await attempt;
              const legs = target.transferId
                ? model.filter((t) => t.transferId === target.transferId)
                : [target];
              for (const leg of legs) leg.status = op.kind === 'void' ? 'void' : 'posted';
            }
          } else {
            const next = !active[op.account];
            await fx.as(ctx, (trx) =>
              updateAccount(trx, ctx, accountIds[op.account] ?? '', { is_active: next }),
            );
            active[op.account] = next;
          }
          await checkInvariant(ctx, accountIds, model);
        }
      }),
      { numRuns: 30 },
    );
  }, 300_000);
});
