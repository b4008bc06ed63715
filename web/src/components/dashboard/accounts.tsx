import { humanize } from '../../format.js';
import type { FullDashboard } from '../../types.js';
import { Money } from '../money.js';
import { TableHead } from '../table-head.js';

/** Every account with its balance; inactive ones marked. */
export function Accounts({ data }: { data: FullDashboard }) {
  return (
    <section class="card" aria-labelledby="acc-h" data-testid="accounts">
      <h2 id="acc-h">Accounts</h2>
      {data.account_summaries.length === 0 ? (
        <p class="muted">No accounts yet.</p>
      ) : (
        <table class="compact">
          <caption class="sr-only">Accounts and their balances</caption>
          <TableHead text={['Account', 'Type']} numeric={['Balance']} />
          <tbody>
            {data.account_summaries.map((a) => (
              <tr
                key={a.account_id}
                data-testid={`account-${a.account_id}`}
                class={a.is_active ? '' : 'inactive'}
              >
                <th scope="row">
                  {a.name}
                  {!a.is_active && <span class="tag">inactive</span>}
                </th>
                <td>{humanize(a.account_type)}</td>
                <td class="num">
                  <Money amount={a.balance} currency={a.currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
