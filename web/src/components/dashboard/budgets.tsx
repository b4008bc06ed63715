import { formatDate, formatPercent, humanize, magnitude } from '../../format.js';
import type { BudgetStatus } from '../../types.js';
import { Money } from '../money.js';

/** Budgets in effect: how much of each is spent, and by how much one is over. */
export function Budgets({ budgets }: { budgets: BudgetStatus[] }) {
  return (
    <section class="card wide" aria-labelledby="bud-h" data-testid="budgets">
      <h2 id="bud-h">Budgets</h2>
      {budgets.length === 0 ? (
        <p class="muted">No budgets in effect.</p>
      ) : (
        <ul class="budgets">
          {budgets.map((b) => (
            <li
              key={b.budget_id}
              class={b.is_over_budget ? 'budget over' : 'budget'}
              data-testid={`budget-${b.budget_id}`}
            >
              <div class="budget-head">
                <strong>{b.name}</strong>
                <span class="muted">
                  {b.category ? humanize(b.category) : 'all expenses'} · {formatDate(b.start_date)} –{' '}
                  {formatDate(b.end_date)}
                </span>
              </div>
              <div
                class="progress"
                role="progressbar"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Number(b.percentage_used)}
                aria-valuetext={`${formatPercent(b.percentage_used)} used${b.is_over_budget ? ', over budget' : ''}`}
                aria-label={`${b.name} budget used`}
              >
                <span style={{ width: `min(100%, ${b.percentage_used}%)` }} />
              </div>
              <p class="budget-numbers">
                <Money amount={b.spent_amount} currency={b.currency} /> of{' '}
                <Money amount={b.total_amount} currency={b.currency} /> ·{' '}
                <span data-testid="percentage">{formatPercent(b.percentage_used)}</span> ·{' '}
                {b.is_over_budget ? (
                  <strong class="over-label" data-testid="over-budget">
                    Over budget by <Money amount={magnitude(b.remaining)} currency={b.currency} />
                  </strong>
                ) : (
                  <span>
                    <Money amount={b.remaining} currency={b.currency} /> left
                  </span>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
