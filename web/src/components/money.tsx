import { formatMoney, isNegative, magnitude } from '../format.js';

/** An amount as the API sent it: formatted for the locale, the exact string kept in data-amount. */
export function Money({ amount, currency, signed }: { amount: string; currency: string; signed?: boolean }) {
  return (
    <span
      class={isNegative(amount) ? 'money negative' : 'money'}
      data-amount={amount}
      data-currency={currency}
    >
      {formatMoney(amount, currency, { signed: signed ?? false })}
    </span>
  );
}

/** A CSS length proportional to amount / max, computed by the browser's CSS engine (no float math here). */
export function share(amount: string, max: string): string {
  const a = amount.replace(/^-/, '');
  const m = max.replace(/^-/, '');
  return `calc(100% * ${a} / max(${m}, 0.000001))`;
}

/** A ledger entry's amount, negative when it leaves the account (a debit), with its sign always shown. */
export function EntryAmount({
  amount,
  currency,
  direction,
}: {
  amount: string;
  currency: string;
  /** `debit` or `credit`. */
  direction: string;
}) {
  return (
    <Money amount={direction === 'debit' ? `-${magnitude(amount)}` : amount} currency={currency} signed />
  );
}
