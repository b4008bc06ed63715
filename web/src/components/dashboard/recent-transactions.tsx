import { formatDateTime, humanize } from '../../format.js';
import type { FullDashboard } from '../../types.js';
import { EntryAmount } from '../money.js';
import { TableHead } from '../table-head.js';

/** The latest transactions in the range; descriptions only for roles that may read them. */
export function RecentTransactions({
  data,
  showDescriptions,
}: {
  data: FullDashboard;
  showDescriptions: boolean;
}) {
  const names = new Map(data.account_summaries.map((a) => [a.account_id, a.name]));
  const recent = data.transaction_summary.recent_transactions;
  const tz = data.tenant_info.timezone;
  return (
    <section class="card wide" aria-labelledby="recent-h" data-testid="recent">
      <h2 id="recent-h">Recent transactions</h2>
      {recent.length === 0 ? (
        <p class="muted">No transactions in this range.</p>
      ) : (
        <div class="scroll">
          <table class="stack">
            <caption class="sr-only">The latest transactions in the range</caption>
            <TableHead
              text={['When', 'Account', 'Category', showDescriptions && 'Description', 'Status']}
              numeric={['Amount']}
            />
            <tbody>
              {recent.map((t) => (
                <tr key={t.transaction_id} data-testid="recent-row">
                  <td data-label="When">{formatDateTime(t.occurred_at, tz)}</td>
                  <td data-label="Account">{names.get(t.account_id) ?? '—'}</td>
                  <td data-label="Category">{humanize(t.category)}</td>
                  {showDescriptions && (
                    <td class="description" data-label="Description">
                      {t.description ?? ''}
                    </td>
                  )}
                  <td data-label="Status">{t.status}</td>
                  <td class="num" data-label="Amount">
                    <EntryAmount amount={t.amount} currency={t.currency} direction={t.direction} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
