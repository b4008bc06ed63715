import { formatMoney } from '../money/decimal.js';
import type { CurrencyAmount } from './types.js';

/** A per-currency NUMERIC from SQL, still unrounded text. */
export interface RawAmount {
  readonly currency: string;
  readonly amount: string | null;
}

/** Rounds each amount once to its currency and keeps SQL's currency order. */
export function toCurrencyAmounts(rows: readonly RawAmount[] | null | undefined): CurrencyAmount[] {
  return (rows ?? []).map((row) => ({
    currency: row.currency,
    amount: formatMoney(row.amount, row.currency),
  }));
}
