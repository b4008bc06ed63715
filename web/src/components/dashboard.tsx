import { useState } from 'preact/hooks';

import {
  formatCount,
  formatDate,
  formatDateTime,
  formatMonth,
  formatPercent,
  humanize,
  magnitude,
} from '../format.js';
import type { BudgetStatus, CurrencyAmount, FullDashboard, MonthlyTrendPoint } from '../types.js';
import { Money, share } from './money.js';
import { TrendChart } from './trend-chart.js';

/** The tenant's dashboard, every part of GET /financial/dashboard. */
export function Dashboard({ data, showDescriptions }: { data: FullDashboard; showDescriptions: boolean }) {
  const { financial_summary: summary, transaction_summary: tx, tenant_info: tenant } = data;
  return (
    <div class="grid">
      <Balances data={data} />
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
      <IncomeExpenses income={tx.income} expenses={tx.expenses} />
      <Trend points={tx.monthly_trend} base={tenant.base_currency} />
      <Categories data={data} />
      <Accounts data={data} />
      <Budgets budgets={data.budget_statuses} />
      <Recent data={data} showDescriptions={showDescriptions} />
    </div>
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

function Balances({ data }: { data: FullDashboard }) {
  const { total_balance: balances, total_balance_converted: converted } = data.financial_summary;
  return (
    <section class="card wide" aria-labelledby="balances-h" data-testid="balances">
      <h2 id="balances-h">Balances</h2>
      <div class="balances">
        {balances.map((b) => (
          <div class="balance" key={b.currency} data-testid={`balance-${b.currency}`}>
            <span class="label">{b.currency}</span>
            <Money amount={b.amount} currency={b.currency} />
          </div>
        ))}
        <div class="balance total" data-testid="converted-total">
          <span class="label">Total in {converted.currency}</span>
          <Money amount={converted.amount} currency={converted.currency} />
          {converted.complete ? (
            <span class="note">all currencies converted</span>
          ) : (
            <span class="note warn" data-testid="missing-rates">
              <span aria-hidden="true">⚠ </span>
              Not included (no exchange rate): {converted.missing_rates.join(', ')}
            </span>
          )}
        </div>
      </div>
      {Object.keys(converted.rates).length > 0 && (
        <p class="help" data-testid="rates">
          Rates used:{' '}
          {Object.entries(converted.rates)
            .map(([c, rate]) => `1 ${c} = ${rate} ${converted.currency}`)
            .join(' · ')}
        </p>
      )}
    </section>
  );
}

function IncomeExpenses({ income, expenses }: { income: CurrencyAmount[]; expenses: CurrencyAmount[] }) {
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
          <thead>
            <tr>
              <th scope="col">Currency</th>
              <th scope="col" class="num">
                Income
              </th>
              <th scope="col" class="num">
                Expenses
              </th>
            </tr>
          </thead>
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

function Trend({ points, base }: { points: MonthlyTrendPoint[]; base: string }) {
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
                <thead>
                  <tr>
                    <th scope="col">Month</th>
                    <th scope="col" class="num">
                      Income
                    </th>
                    <th scope="col" class="num">
                      Expenses
                    </th>
                    <th scope="col" class="num">
                      Net
                    </th>
                    <th scope="col" class="num">
                      Transactions
                    </th>
                  </tr>
                </thead>
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

function Categories({ data }: { data: FullDashboard }) {
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
          <thead>
            <tr>
              <th scope="col">Category</th>
              <th scope="col" class="num">
                Spent
              </th>
              <th scope="col" class="num">
                Count
              </th>
            </tr>
          </thead>
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

function Accounts({ data }: { data: FullDashboard }) {
  return (
    <section class="card" aria-labelledby="acc-h" data-testid="accounts">
      <h2 id="acc-h">Accounts</h2>
      {data.account_summaries.length === 0 ? (
        <p class="muted">No accounts yet.</p>
      ) : (
        <table class="compact">
          <caption class="sr-only">Accounts and their balances</caption>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Type</th>
              <th scope="col" class="num">
                Balance
              </th>
            </tr>
          </thead>
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

function Budgets({ budgets }: { budgets: BudgetStatus[] }) {
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

function Recent({ data, showDescriptions }: { data: FullDashboard; showDescriptions: boolean }) {
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
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Account</th>
                <th scope="col">Category</th>
                {showDescriptions && <th scope="col">Description</th>}
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Amount
                </th>
              </tr>
            </thead>
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
                    <Money
                      amount={t.direction === 'debit' ? `-${magnitude(t.amount)}` : t.amount}
                      currency={t.currency}
                      signed
                    />
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
