import { currencyExponent } from '../money/currency.js';
import { fromScaled } from '../money/decimal.js';
import {
  EXPENSE_CATEGORIES,
  ORGANIZATION_NAMES,
  PERSON_NAMES,
  PRIMARY_CURRENCIES,
  SECONDARY_CURRENCIES,
  TIMEZONES,
  USD_VALUE,
} from './catalog.js';
import { Random } from './random.js';

/** One seeded account; `key` names it inside the generator, `id` is filled in once inserted. */
export interface PlannedAccount {
  readonly key: string;
  readonly name: string;
  readonly accountType: 'checking' | 'savings' | 'credit_card' | 'cash' | 'investment';
  readonly currency: string;
  readonly isActive: boolean;
  /** Share of day-to-day expenses paid from this account (0 for accounts that take none). */
  readonly expenseShare: number;
}

export interface TenantPlan {
  readonly index: number;
  readonly name: string;
  readonly type: 'user' | 'organization';
  readonly displayName: string;
  readonly timezone: string;
  readonly baseCurrency: string;
  readonly currencies: readonly string[];
  readonly accounts: readonly PlannedAccount[];
}

/** Who a seeded tenant is: type, zone, 1–3 currencies and the accounts that hold them. */
export function planTenant(seed: number, index: number, prefix: string): TenantPlan {
  const rng = new Random(seed, index, 0x7e4a47);
  const type = index % 2 === 0 ? 'organization' : 'user';
  const base = rng.pick(PRIMARY_CURRENCIES);
  const extra = rng.weighted<number>([
    [0, 3],
    [1, 4],
    [2, 3],
  ]);
  const currencies: string[] = [base];
  while (currencies.length < extra + 1) {
    const candidate = rng.pick(SECONDARY_CURRENCIES);
    if (!currencies.includes(candidate)) currencies.push(candidate);
  }
  const names = type === 'user' ? PERSON_NAMES : ORGANIZATION_NAMES;
  const secondaryShare = currencies.length > 1 ? 0.12 / (currencies.length - 1) : 0;
  const accounts: PlannedAccount[] = [
    {
      key: 'checking',
      name: 'Everyday Checking',
      accountType: 'checking',
      currency: base,
      isActive: true,
      expenseShare: 0.3,
    },
    {
      key: 'savings',
      name: 'Rainy Day Savings',
      accountType: 'savings',
      currency: base,
      isActive: true,
      expenseShare: 0,
    },
    {
      key: 'card',
      name: 'Rewards Card',
      accountType: 'credit_card',
      currency: base,
      isActive: true,
      expenseShare: 0.5,
    },
    {
      key: 'cash',
      name: type === 'user' ? 'Wallet' : 'Petty Cash',
      accountType: 'cash',
      currency: base,
      isActive: true,
      expenseShare: currencies.length > 1 ? 0.08 : 0.2,
    },
  ];
  if (type === 'organization') {
    accounts.push({
      key: 'investment',
      name: 'Treasury Investments',
      accountType: 'investment',
      currency: base,
      isActive: true,
      expenseShare: 0,
    });
  }
  for (const currency of currencies.slice(1)) {
    accounts.push({
      key: `checking-${currency}`,
      name: `${currency} Checking`,
      accountType: 'checking',
      currency,
      isActive: true,
      expenseShare: secondaryShare,
    });
  }
  if (index % 3 === 2) {
    accounts.push({
      key: 'closed',
      name: 'Old Checking (closed)',
      accountType: 'checking',
      currency: base,
      isActive: false,
      expenseShare: 0,
    });
  }
  return {
    index,
    name: `${prefix}-${index + 1}`,
    type,
    displayName: `${rng.pick(names)} ${index + 1}`,
    timezone: TIMEZONES[index % TIMEZONES.length] ?? 'UTC',
    baseCurrency: base,
    currencies,
    accounts,
  };
}

/** A USD-denominated amount in `currency`, rounded to its minor unit (at least one unit). */
export function moneyIn(currency: string, usd: number): string {
  const exponent = currencyExponent(currency);
  const units = usd / (USD_VALUE[currency] ?? 1);
  const minor = Math.max(1, Math.round(units * 10 ** exponent));
  return fromScaled(BigInt(minor), exponent);
}

/** Mean of the amount factor the generator applies (triangular 0.25..1.75, 2% ×4 splurges). */
export const AMOUNT_FACTOR_MEAN = 1 + 0.02 * 3;

const WEIGHT_TOTAL = EXPENSE_CATEGORIES.reduce((sum, c) => sum + c.weight, 0);

/** Expected USD spend of one day-to-day expense. */
export const MEAN_EXPENSE_USD =
  (EXPENSE_CATEGORIES.reduce((sum, c) => sum + c.weight * c.usd, 0) / WEIGHT_TOTAL) * AMOUNT_FACTOR_MEAN;

/** Expected monthly USD spend per category for a given number of expenses per month. */
export function monthlyCategorySpendUsd(expensesPerMonth: number): Map<string, number> {
  return new Map(
    EXPENSE_CATEGORIES.map((c) => [
      c.name,
      (expensesPerMonth * c.weight * c.usd * AMOUNT_FACTOR_MEAN) / WEIGHT_TOTAL,
    ]),
  );
}
