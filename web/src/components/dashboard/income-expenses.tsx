import { magnitude } from '../../format.js';
import type { CurrencyAmount } from '../../types.js';
import { Money, share } from '../money.js';
import { TableHead } from '../table-head.js';

/** Posted income against posted expenses per currency: bars, and the same figures as a table. */
export function IncomeExpenses({
  income,
  expenses,
}: {
  income: CurrencyAmount[];
  expenses: CurrencyAmount[];
}) {
  const currencies = [...new Set([...income, ...expenses].map((a) => a.currency))].sort();
  const find = (list: CurrencyAmount[], c: string) => list.find((a) => a.currency === c)?.amount ?? '0';
  return (
    <section class="card" aria-labelledby="ie-h" data-testid="income-expenses">
      <h2 id="ie-h">Income vs expenses</h2>
      {currencies.length === 0 && <p class="muted">No posted income or expenses in this range.</p>}
      {currencies.map((c) => {
        const inc = magnitude(find(income, c));
        const exp = magnitude(find(expenses, c));
        const max = `max(${inc}, ${exp})`;
        return (
          <div class="pair" key={c} aria-hidden="true">
            <div class="bar-row">
              <span class="bar-label">Income {c}</span>
              <span class="bar income" style={{ width: share(inc, max) }} />
            </div>
            <div class="bar-row">
              <span class="bar-label">Expenses {c}</span>
              <span class="bar expense" style={{ width: share(exp, max) }} />
            </div>
          </div>
        );
      })}
      {currencies.length > 0 && (
        <table class="compact">
          <caption class="sr-only">Posted income and expenses in the range, per currency</caption>
          <TableHead text={['Currency']} numeric={['Income', 'Expenses']} />
          <tbody>
            {currencies.map((c) => (
              <tr key={c} data-testid={`ie-${c}`}>
                <th scope="row">{c}</th>
                <td class="num">
                  <Money amount={find(income, c)} currency={c} />
                </td>
                <td class="num">
                  <Money amount={find(expenses, c)} currency={c} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
