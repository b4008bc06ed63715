import { useEffect, useState } from 'preact/hooks';

import { ApiError, request, withQuery } from '../api.js';
import { formatDateTime, humanize } from '../format.js';
import type { AccountSummary, Page, Transaction } from '../types.js';
import { EntryAmount } from './money.js';
import { TableHead } from './table-head.js';

interface Filters {
  account_id: string;
  category: string;
  type: string;
  status: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { account_id: '', category: '', type: '', status: '', from: '', to: '' };
const PAGE_SIZE = '25';

/**
 * GET /financial/transactions with its filters and keyset pages (analyst and admin). Dates are
 * tenant-local days, sent as days: the API reads them in the tenant's timezone, `to` included.
 */
export function Transactions({
  token,
  accounts,
  timeZone,
}: {
  token: string;
  accounts: AccountSummary[];
  timeZone: string;
}) {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [cursors, setCursors] = useState<string[]>([]);
  // The page shown, with the request it answers: until the next one arrives, the status says loading.
  const [loaded, setLoaded] = useState<{ key: string; page: Page<Transaction> } | null>(null);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [loading, setLoading] = useState(false);
  const names = new Map(accounts.map((a) => [a.account_id, a.name]));
  const cursor = cursors[cursors.length - 1];
  const key = JSON.stringify([filters, cursor ?? null]);
  const page = loaded?.key === key ? loaded.page : null;

  useEffect(() => {
    let current = true;
    setLoading(true);
    const query = {
      account_id: filters.account_id,
      category: filters.category,
      type: filters.type,
      status: filters.status,
      from: filters.from || undefined,
      to: filters.to || undefined,
      limit: PAGE_SIZE,
      cursor,
    };
    request<Page<Transaction>>(token, withQuery('/financial/transactions', query))
      .then((result) => {
        if (!current) return;
        setLoaded({ key, page: result });
        setError(null);
      })
      .catch((e: unknown) => {
        if (!current) return;
        setLoaded(null);
        setError(
          e instanceof ApiError
            ? { message: e.message, ...(e.field ? { field: e.field } : {}) }
            : { message: String(e) },
        );
      })
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [token, filters, cursor, key]);

  const set = (name: keyof Filters) => (event: Event) =>
    setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement | HTMLSelectElement).value });

  return (
    <section class="card wide" aria-labelledby="tx-h" data-testid="transactions">
      <h2 id="tx-h">Transactions</h2>
      <form
        class="filters"
        aria-label="Filter transactions"
        onSubmit={(event) => {
          event.preventDefault();
          setCursors([]);
          setFilters(draft);
        }}
      >
        <label>
          Account
          <select name="account_id" value={draft.account_id} onChange={set('account_id')}>
            <option value="">All accounts</option>
            {accounts.map((a) => (
              <option key={a.account_id} value={a.account_id}>
                {a.name} ({a.currency})
              </option>
            ))}
          </select>
        </label>
        <label>
          Category
          <input name="category" value={draft.category} onInput={set('category')} maxLength={100} />
        </label>
        <label>
          Type
          <select name="type" value={draft.type} onChange={set('type')}>
            <option value="">Any</option>
            <option value="income">Income</option>
            <option value="expense">Expense</option>
            <option value="transfer">Transfer</option>
          </select>
        </label>
        <label>
          Status
          <select name="status" value={draft.status} onChange={set('status')}>
            <option value="">Any</option>
            <option value="posted">Posted</option>
            <option value="pending">Pending</option>
            <option value="void">Void</option>
          </select>
        </label>
        <label>
          From
          <input type="date" name="from" value={draft.from} onInput={set('from')} />
        </label>
        <label>
          To
          <input type="date" name="to" value={draft.to} onInput={set('to')} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {error && (
        <p class="alert" role="alert">
          {error.field ? `${error.field}: ` : ''}
          {error.message}
        </p>
      )}
      <p class="status" role="status" aria-live="polite">
        {page ? `${page.data.length} transactions on page ${cursors.length + 1}` : loading ? 'Loading…' : ''}
      </p>
      {page && page.data.length > 0 && (
        <div class="scroll">
          <table class="stack" data-testid="transactions-table">
            <caption class="sr-only">Transactions, newest first</caption>
            <TableHead
              text={['When', 'Account', 'Type', 'Category', 'Description', 'Status']}
              numeric={['Amount']}
            />
            <tbody>
              {page.data.map((t) => (
                <tr key={t.id} data-testid="transaction-row" class={t.status === 'void' ? 'inactive' : ''}>
                  <td data-label="When">{formatDateTime(t.occurred_at, timeZone)}</td>
                  <td data-label="Account">{names.get(t.account_id) ?? '—'}</td>
                  <td data-label="Type">{t.transaction_type}</td>
                  <td data-label="Category">{humanize(t.category)}</td>
                  <td class="description" data-label="Description">
                    {t.description}
                  </td>
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
      {page && page.data.length === 0 && <p class="muted">No transactions match.</p>}
      <div class="pager">
        <button
          type="button"
          class="secondary"
          disabled={cursors.length === 0}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous page
        </button>
        <button
          type="button"
          class="secondary"
          disabled={!page?.next_cursor}
          onClick={() => page?.next_cursor && setCursors([...cursors, page.next_cursor])}
        >
          Next page
        </button>
      </div>
    </section>
  );
}
