import { formatCount, formatMonth } from '../../format.js';
import type { CurrencyAmount, FinancialSummary } from '../../types.js';
import { Money } from '../money.js';

/** Counts of accounts and transactions, and this month's net per currency. */
export function AtAGlance({ summary }: { summary: FinancialSummary }) {
  return (
    <section class="card" aria-labelledby="counts-h" data-testid="counts">
      <h2 id="counts-h">At a glance</h2>
      <dl class="stats">
        <div>
          <dt>Accounts</dt>
          <dd data-testid="total-accounts">
            {formatCount(summary.active_accounts)} active of {formatCount(summary.total_accounts)}
          </dd>
        </div>
        <div>
          <dt>Transactions in range</dt>
          <dd data-testid="total-transactions">{formatCount(summary.total_transactions)}</dd>
        </div>
        <div>
          <dt>Pending</dt>
          <dd data-testid="pending-transactions">{formatCount(summary.pending_transactions)}</dd>
        </div>
        <div>
          <dt>This month ({formatMonth(summary.this_month)}), net</dt>
          <dd data-testid="this-month">
            <AmountList amounts={summary.this_month_amount} signed />
          </dd>
        </div>
      </dl>
    </section>
  );
}

function AmountList({ amounts, signed }: { amounts: CurrencyAmount[]; signed?: boolean }) {
  if (amounts.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="amounts">
      {amounts.map((a) => (
        <li key={a.currency}>
          <Money amount={a.amount} currency={a.currency} signed={signed ?? false} />
        </li>
      ))}
    </ul>
  );
}
