import { useState } from 'preact/hooks';

import { formatCount, formatMonth } from '../../format.js';
import type { MonthlyTrendPoint } from '../../types.js';
import { Money } from '../money.js';
import { TableHead } from '../table-head.js';
import { TrendChart } from '../trend-chart.js';

/** Income, expenses and net per month in one currency (the base currency unless another is chosen). */
export function MonthlyTrend({ points, base }: { points: MonthlyTrendPoint[]; base: string }) {
  const currencies = [...new Set(points.map((p) => p.currency))].sort();
  const [chosen, setChosen] = useState<string | null>(null);
  const currency =
    chosen && currencies.includes(chosen)
      ? chosen
      : currencies.includes(base)
        ? base
        : (currencies[0] ?? base);
  const shown = points.filter((p) => p.currency === currency);
  return (
    <section class="card wide" aria-labelledby="trend-h" data-testid="trend">
      <div class="card-head">
        <h2 id="trend-h">Monthly trend</h2>
        {currencies.length > 1 && (
          <label class="inline">
            Currency{' '}
            <select value={currency} onChange={(e) => setChosen(e.currentTarget.value)}>
              {currencies.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
        )}
      </div>
      {shown.length === 0 ? (
        <p class="muted">No activity in this range.</p>
      ) : (
        <>
          <TrendChart points={shown} currency={currency} />
          <details>
            <summary>Show the trend as a table</summary>
            <div class="scroll">
              <table data-testid="trend-table">
                <caption class="sr-only">Monthly income, expenses and net in {currency}</caption>
                <TableHead text={['Month']} numeric={['Income', 'Expenses', 'Net', 'Transactions']} />
                <tbody>
                  {shown.map((p) => (
                    <tr key={p.month}>
                      <th scope="row">{formatMonth(p.month)}</th>
                      <td class="num">
                        <Money amount={p.income} currency={p.currency} />
                      </td>
                      <td class="num">
                        <Money amount={p.expenses} currency={p.currency} />
                      </td>
                      <td class="num">
                        <Money amount={p.net} currency={p.currency} signed />
                      </td>
                      <td class="num">{formatCount(p.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}
