import { formatCount, humanize } from '../../format.js';
import type { FullDashboard } from '../../types.js';
import { Money, share } from '../money.js';
import { TableHead } from '../table-head.js';

/** Posted expenses per category, largest first, each with a bar relative to its currency's largest. */
export function Categories({ data }: { data: FullDashboard }) {
  const categories = data.transaction_summary.by_category;
  const top = new Map<string, string>();
  for (const c of categories) if (!top.has(c.currency)) top.set(c.currency, c.amount);
  return (
    <section class="card" aria-labelledby="cat-h" data-testid="categories">
      <h2 id="cat-h">Top spending categories</h2>
      {categories.length === 0 ? (
        <p class="muted">No posted expenses in this range.</p>
      ) : (
        <table class="compact bars">
          <caption class="sr-only">Posted expenses per category, largest first</caption>
          <TableHead text={['Category']} numeric={['Spent', 'Count']} />
          <tbody>
            {categories.map((c) => (
              <tr key={`${c.currency}:${c.category}`}>
                <th scope="row">
                  {humanize(c.category)}
                  <span
                    class="bar expense thin"
                    aria-hidden="true"
                    style={{ width: share(c.amount, top.get(c.currency) ?? c.amount) }}
                  />
                </th>
                <td class="num">
                  <Money amount={c.amount} currency={c.currency} />
                </td>
                <td class="num">{formatCount(c.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
