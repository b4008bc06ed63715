import { currencyExponent } from '../money/currency.js';
import { fromScaled } from '../money/decimal.js';
import { civil, localInstant } from './calendar.js';
import { EXPENSE_CATEGORIES } from './catalog.js';
import { Random } from './random.js';
import { recurringPlan, seedWindow } from './recurring-schedule.js';
import { MEAN_EXPENSE_USD, moneyIn, type PlannedAccount, type TenantPlan } from './tenant-plan.js';

const DAY_MS = 86_400_000;

export interface SeedTransaction {
  readonly accountKey: string;
  readonly amount: string;
  readonly currency: string;
  readonly type: 'income' | 'expense' | 'transfer';
  readonly direction: 'credit' | 'debit';
  readonly status: 'pending' | 'posted' | 'void';
  readonly category: string;
  readonly description: string;
  /** UTC milliseconds. */
  readonly occurredAt: number;
  readonly transferId: string | null;
}

/** Minor units of an amount string of a currency (the seed tracks balances in minor units). */
function minorUnits(amount: string, currency: string): number {
  const exponent = currencyExponent(currency);
  const [whole = '0', fraction = ''] = amount.split('.');
  return Number(whole) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
}

function fromMinor(minor: number, currency: string): string {
  return fromScaled(BigInt(Math.max(1, Math.round(minor))), currencyExponent(currency));
}

/**
 * A tenant's history, in chronological order of days: monthly rent, salary, card payment,
 * savings transfer and interest, plus day-to-day expenses across categories, weighted towards
 * weekends and December. The last three days hold pending rows; a few older expenses are void.
 * Exactly `count` rows (transfer legs count one each), deterministic for (seed, plan, until).
 */
export function* generateTransactions(
  plan: TenantPlan,
  options: { seed: number; count: number; until: number },
): Generator<SeedTransaction> {
  const { count, until } = options;
  const rng = new Random(options.seed, plan.index, 0x5eed);
  const window = seedWindow(plan, count, until);
  const { events, expenseCount } = recurringPlan(plan, window, count);
  const account = (key: string): PlannedAccount => {
    const found = plan.accounts.find((a) => a.key === key);
    if (!found) throw new Error(`seed plan has no ${key} account`);
    return found;
  };
  const checking = account('checking');
  const base = plan.baseCurrency;
  const spenders = plan.accounts.filter((a) => a.expenseShare > 0).map((a) => [a, a.expenseShare] as const);
  const categories = EXPENSE_CATEGORIES.map((c) => [c, c.weight] as const);
  const isOrg = plan.type === 'organization';

  // Monthly amounts sized so income covers spending: the seeded balances stay plausible.
  const expensesPerMonth = expenseCount / window.months;
  const baseShare = spenders.filter(([a]) => a.currency === base).reduce((s, [, w]) => s + w, 0);
  const monthlySpendUsd = expensesPerMonth * MEAN_EXPENSE_USD * baseShare;
  const rentUsd = Math.max(600, monthlySpendUsd * 0.35);
  // Enough to cover spending, rent, saving (10%) and investing (5%) with some left over.
  const salaryUsd = (monthlySpendUsd + rentUsd) * 1.3;

  // Expenses per day: weekends and December busier, today only up to `until`.
  const days = window.lastDay - window.firstDay + 1;
  const weights: number[] = [];
  for (let i = 0; i < days; i += 1) {
    const day = window.firstDay + i;
    const weekday = new Date(day * DAY_MS).getUTCDay();
    let w = (weekday === 0 || weekday === 6 ? 1.25 : 1) * (0.85 + 0.3 * rng.next());
    if (civil(day).month === 12) w *= 1.2;
    if (day === window.lastDay) {
      const elapsed = (until - localInstant(plan.timezone, day, 0)) / DAY_MS;
      w *= Math.min(1, Math.max(0.05, elapsed));
    }
    weights.push(w);
  }
  const totalWeight = weights.reduce((s, w) => s + w, 0);

  let eventIndex = 0;
  let cumulative = 0;
  let allocated = 0;
  // month key → posted spend from the card and from cash, minor units: paid back next month
  const cardSpend = new Map<number, number>();
  const cashSpend = new Map<number, number>();
  let savingsMinor = 0;
  let lastSalaryMinor = minorUnits(moneyIn(base, salaryUsd), base);
  const monthKey = (day: number): number => {
    const c = civil(day);
    return c.year * 12 + c.month - 1;
  };
  const at = (day: number, minute: number): number =>
    Math.min(until, localInstant(plan.timezone, day, minute));
  const row = (
    a: PlannedAccount,
    fields: Omit<SeedTransaction, 'accountKey' | 'currency' | 'transferId' | 'status'> & {
      status?: SeedTransaction['status'];
      transferId?: string;
    },
  ): SeedTransaction => ({
    accountKey: a.key,
    currency: a.currency,
    status: fields.status ?? 'posted',
    transferId: fields.transferId ?? null,
    ...fields,
  });
  function* transfer(
    from: PlannedAccount,
    to: PlannedAccount,
    amount: string,
    day: number,
    minute: number,
    what: string,
  ) {
    const transferId = rng.uuid();
    const occurredAt = at(day, minute);
    const common = { amount, type: 'transfer' as const, category: 'transfer', occurredAt, transferId };
    yield row(from, { ...common, direction: 'debit', description: `${what} to ${to.name}` });
    yield row(to, { ...common, direction: 'credit', description: `${what} from ${from.name}` });
  }

  for (let i = 0; i < days; i += 1) {
    const day = window.firstDay + i;
    for (; eventIndex < events.length && events[eventIndex]?.day === day; eventIndex += 1) {
      const event = events[eventIndex];
      if (!event) break;
      switch (event.kind) {
        case 'rent': {
          const amount = moneyIn(base, rentUsd);
          yield row(checking, {
            amount,
            type: 'expense',
            direction: 'debit',
            category: 'rent',
            description: isOrg ? 'Office lease' : 'Apartment rent',
            occurredAt: at(day, 8 * 60),
          });
          break;
        }
        case 'card-payment': {
          const previous = cardSpend.get(monthKey(day) - 1);
          const minor = previous ?? minorUnits(moneyIn(base, monthlySpendUsd * 0.5), base);
          yield* transfer(checking, account('card'), fromMinor(minor, base), day, 9 * 60, 'Card payment');
          break;
        }
        case 'cash-top-up': {
          const previous = cashSpend.get(monthKey(day) - 1);
          const share = account('cash').expenseShare / Math.max(0.01, baseShare);
          const minor = previous ?? minorUnits(moneyIn(base, monthlySpendUsd * share), base);
          const what = isOrg ? 'Petty cash top-up' : 'ATM withdrawal';
          yield* transfer(checking, account('cash'), fromMinor(minor, base), day, 12 * 60, what);
          break;
        }
        case 'invest': {
          const minor = lastSalaryMinor * 0.05;
          yield* transfer(
            checking,
            account('investment'),
            fromMinor(minor, base),
            day,
            11 * 60,
            'Treasury investment',
          );
          break;
        }
        case 'salary': {
          const amount = moneyIn(base, salaryUsd * (0.98 + 0.04 * rng.next()));
          lastSalaryMinor = minorUnits(amount, base);
          yield row(checking, {
            amount,
            type: 'income',
            direction: 'credit',
            category: isOrg ? 'revenue' : 'salary',
            description: isOrg ? 'Customer receipts' : 'Payroll deposit',
            occurredAt: at(day, 9 * 60),
          });
          break;
        }
        case 'side-income': {
          const target = event.account ?? checking;
          const share = target.expenseShare;
          const usd = expensesPerMonth * MEAN_EXPENSE_USD * share * 1.2 + 50;
          yield row(target, {
            amount: moneyIn(target.currency, usd * (0.95 + 0.1 * rng.next())),
            type: 'income',
            direction: 'credit',
            category: isOrg ? 'revenue' : 'freelance',
            description: isOrg
              ? `${target.currency} customer receipts`
              : `Freelance invoice (${target.currency})`,
            occurredAt: at(day, 10 * 60),
          });
          break;
        }
        case 'savings': {
          const minor = lastSalaryMinor * 0.1;
          savingsMinor += Math.max(1, Math.round(minor));
          yield* transfer(
            checking,
            account('savings'),
            fromMinor(minor, base),
            day,
            11 * 60,
            'Monthly saving',
          );
          break;
        }
        case 'interest': {
          const minor = Math.max(1, Math.round(savingsMinor * 0.002));
          savingsMinor += minor;
          yield row(account('savings'), {
            amount: fromMinor(minor, base),
            type: 'income',
            direction: 'credit',
            category: 'interest',
            description: 'Interest',
            occurredAt: at(day, 23 * 60),
          });
          break;
        }
      }
    }

    cumulative += weights[i] ?? 0;
    const target = i === days - 1 ? expenseCount : Math.round((expenseCount * cumulative) / totalWeight);
    const today = target - allocated;
    allocated = target;
    for (let n = 0; n < today; n += 1) {
      const category = rng.weighted(categories);
      const from = rng.weighted(spenders);
      let factor = 0.25 + 0.75 * (rng.next() + rng.next());
      if (rng.chance(0.02)) factor *= 4;
      const amount = moneyIn(from.currency, category.usd * factor);
      const occurredAt = at(day, 7 * 60 + rng.int(0, 15 * 60 - 1));
      const recent = until - occurredAt < 3 * DAY_MS;
      const status =
        recent && from.accountType !== 'cash' && rng.chance(0.5)
          ? 'pending'
          : rng.chance(0.006)
            ? 'void'
            : 'posted';
      if (status === 'posted' && from.key === 'card') {
        const key = monthKey(day);
        cardSpend.set(key, (cardSpend.get(key) ?? 0) + minorUnits(amount, from.currency));
      } else if (status === 'posted' && from.key === 'cash') {
        const key = monthKey(day);
        cashSpend.set(key, (cashSpend.get(key) ?? 0) + minorUnits(amount, from.currency));
      }
      yield row(from, {
        amount,
        type: 'expense',
        direction: 'debit',
        status,
        category: category.name,
        description: rng.pick(category.merchants),
        occurredAt,
      });
    }
  }
}
