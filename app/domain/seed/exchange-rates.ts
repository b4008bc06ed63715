import type { Knex } from 'knex';

import { USD_VALUE } from './catalog.js';
import { Random } from './random.js';

const DAYS = 30;

/**
 * Daily rates for the last 30 days between every pair of the given currencies, wandering a
 * little around fixed reference values. exchange_rates is global reference data (no tenant):
 * re-seeding overwrites the same (base, quote, as_of) rows.
 */
export async function writeExchangeRates(
  owner: Knex,
  currencies: readonly string[],
  seed: number,
  until: Date,
): Promise<void> {
  const rows: Array<{ base: string; quote: string; rate: string; as_of: string }> = [];
  const today = Math.floor(until.getTime() / 86_400_000);
  for (const base of currencies) {
    for (const quote of currencies) {
      if (base === quote) continue;
      const rng = new Random(
        seed,
        base.charCodeAt(0),
        base.charCodeAt(1),
        base.charCodeAt(2),
        quote.charCodeAt(0),
        quote.charCodeAt(1),
        quote.charCodeAt(2),
      );
      const reference = (USD_VALUE[base] ?? 1) / (USD_VALUE[quote] ?? 1);
      let drift = 1;
      for (let back = DAYS - 1; back >= 0; back -= 1) {
        drift *= 1 + (rng.next() - 0.5) * 0.004;
        rows.push({
          base,
          quote,
          rate: (reference * drift).toFixed(10),
          as_of: new Date((today - back) * 86_400_000).toISOString().slice(0, 10),
        });
      }
    }
  }
  for (let i = 0; i < rows.length; i += 1000) {
    await owner('exchange_rates')
      .insert(rows.slice(i, i + 1000))
      .onConflict(['base', 'quote', 'as_of'])
      .merge(['rate']);
  }
}
