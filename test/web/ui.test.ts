import { describe, expect, it } from '@jest/globals';

import type { FullDashboard } from '../../app/domain/dashboard/types.js';
import { apiGet, screenshot, signIn, watchedPage } from './harness.js';
import { dashboardShown, inPage, money, uiSession } from './ui-session.js';

// The web UI in headless Chromium against the real API on embedded PostgreSQL: the CSP and caching, sign-in, the
// numbers the API returns for seeded data, the date range, and what each role sees.

const ui = uiSession();

describe('web UI', () => {
  it('serves the page under a strict CSP, hashed assets immutable and index.html revalidated', async () => {
    const index = await fetch(`${ui.server.url}/app/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = await index.text();
    expect(html).not.toMatch(/<script>|<style|style="/);
    const script = /src="(\/app\/assets\/main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${ui.server.url}${script ?? ''}`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${ui.server.url}/`, { redirect: 'manual' })).headers.get('location')).toBe('/app/');
  });

  it('signs in with a pasted token and shows the numbers the API returns', async () => {
    const context = await ui.newContext();
    const { page, problems } = await watchedPage(context);
    await signIn(page, ui.server.url, ui.seeded.tenant.tokens.admin);
    await dashboardShown(page);
    const api = await apiGet<FullDashboard>(ui.server, ui.seeded.tenant.tokens.admin, '/financial/dashboard');

    await expect(page.getByTestId('tenant-name').textContent()).resolves.toBe(api.tenant_info.display_name);
    await expect(page.getByTestId('tenant-timezone').textContent()).resolves.toBe('Europe/Paris');
    await expect(page.getByTestId('tenant-currency').textContent()).resolves.toBe('USD');
    await expect(page.getByTestId('role').textContent()).resolves.toBe('admin');

    for (const { currency, amount } of api.financial_summary.total_balance) {
      const shown = page.getByTestId(`balance-${currency}`).locator('.money');
      await expect(shown.getAttribute('data-amount')).resolves.toBe(amount);
      await expect(shown.textContent()).resolves.toBe(money(amount, currency));
    }
    const converted = api.financial_summary.total_balance_converted;
    expect(converted.missing_rates).toEqual(['JPY']);
    await expect(page.getByTestId('converted-total').locator('.money').textContent()).resolves.toBe(
      money(converted.amount, 'USD'),
    );
    await expect(page.getByTestId('missing-rates').textContent()).resolves.toContain('JPY');
    await expect(page.getByTestId('rates').textContent()).resolves.toContain(
      `1 EUR = ${converted.rates.EUR ?? 'missing'} USD`,
    );
    await expect(page.getByTestId('total-transactions').textContent()).resolves.toBe(
      String(api.financial_summary.total_transactions),
    );

    for (const a of api.account_summaries) {
      await expect(page.getByTestId(`account-${a.account_id}`).locator('.money').textContent()).resolves.toBe(
        money(a.balance, a.currency),
      );
    }
    // Categories, income and expenses: every amount shown is the API's string.
    const categoryCells = await page.getByTestId('categories').locator('.money').all();
    const categoryAmounts = await Promise.all(categoryCells.map((e) => e.getAttribute('data-amount')));
    expect(categoryAmounts).toEqual(api.transaction_summary.by_category.map((c) => c.amount));
    for (const { currency, amount } of api.transaction_summary.income) {
      await expect(page.getByTestId(`ie-${currency}`).locator('.money').first().textContent()).resolves.toBe(
        money(amount, currency),
      );
    }

    // Budgets: progress and the over-budget state.
    expect(api.budget_statuses).toHaveLength(2);
    for (const b of api.budget_statuses) {
      const item = page.getByTestId(`budget-${b.budget_id}`);
      await expect(item.getByTestId('percentage').textContent()).resolves.toBe(`${b.percentage_used} %`);
      await expect(item.getByTestId('over-budget').count()).resolves.toBe(b.is_over_budget ? 1 : 0);
      await expect(item.getByRole('progressbar').getAttribute('aria-valuetext')).resolves.toContain(
        b.is_over_budget ? 'over budget' : 'used',
      );
    }
    expect(api.budget_statuses.some((b) => b.is_over_budget)).toBe(true);

    // The trend chart is drawn (a canvas) and has its table.
    await expect(page.getByTestId('trend').locator('canvas').count()).resolves.toBeGreaterThan(0);
    await page.getByText('Show the trend as a table').click();
    const months = api.transaction_summary.monthly_trend.filter((p) => p.currency === 'USD');
    await expect(page.getByTestId('trend-table').locator('tbody tr').count()).resolves.toBe(months.length);

    // The token is in session storage only: not in the address bar, not in a cookie.
    expect(page.url()).not.toContain(ui.seeded.tenant.tokens.admin);
    expect(await context.cookies()).toEqual([]);
    await expect(inPage(page, "sessionStorage.getItem('findash.token')")).resolves.toBe(
      ui.seeded.tenant.tokens.admin,
    );
    await screenshot(page, 'dashboard-desktop');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('maps the range picker to from/to and shows the API numbers for that range', async () => {
    const context = await ui.newContext();
    const { page, problems } = await watchedPage(context);
    await signIn(page, ui.server.url, ui.seeded.tenant.tokens.analyst);
    await dashboardShown(page);
    const all = await apiGet<FullDashboard>(
      ui.server,
      ui.seeded.tenant.tokens.analyst,
      '/financial/dashboard',
    );

    const request = page.waitForRequest((r) => r.url().includes('/financial/dashboard?'));
    await page.getByRole('button', { name: 'This month' }).click();
    const url = new URL((await request).url());
    const from = url.searchParams.get('from') ?? '';
    const to = url.searchParams.get('to') ?? '';
    expect(from).toMatch(/^\d{4}-\d{2}-01$/);
    expect(to).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const month = await apiGet<FullDashboard>(
      ui.server,
      ui.seeded.tenant.tokens.analyst,
      `/financial/dashboard?from=${from}&to=${to}`,
    );
    expect(month.financial_summary.total_transactions).toBeLessThan(all.financial_summary.total_transactions);
    await page
      .getByTestId('total-transactions')
      .filter({ hasText: new RegExp(`^${month.financial_summary.total_transactions}$`) })
      .waitFor();
    await expect(page.getByRole('button', { name: 'This month' }).getAttribute('aria-pressed')).resolves.toBe(
      'true',
    );

    // Typed dates go out as typed: from three months before this month.
    const [y, m] = from.split('-').map(Number);
    const earlier = new Date(Date.UTC(y ?? 2026, (m ?? 1) - 4, 1)).toISOString().slice(0, 10);
    const typed = page.waitForRequest((r) => r.url().includes(`from=${earlier}`));
    await page.getByLabel('From', { exact: true }).fill(earlier);
    await page.getByLabel('To', { exact: true }).fill(to);
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(new URL((await typed).url()).searchParams.get('to')).toBe(to);
    await page.getByText(`Showing ${earlier} to ${to}`).waitFor();
    const typedRange = await apiGet<FullDashboard>(
      ui.server,
      ui.seeded.tenant.tokens.analyst,
      `/financial/dashboard?from=${earlier}&to=${to}`,
    );
    expect(typedRange.financial_summary.total_transactions).toBeGreaterThan(
      month.financial_summary.total_transactions,
    );
    await page
      .getByTestId('total-transactions')
      .filter({ hasText: new RegExp(`^${typedRange.financial_summary.total_transactions}$`) })
      .waitFor();

    // A range of any length is served (the API has no span limit: an open end reaches all history at the
    // same cost), and the page shows the API's numbers for it.
    await page.getByLabel('From', { exact: true }).fill('2001-01-01');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText(`Showing 2001-01-01 to ${to}`).waitFor();
    const longRange = await apiGet<FullDashboard>(
      ui.server,
      ui.seeded.tenant.tokens.analyst,
      `/financial/dashboard?from=2001-01-01&to=${to}`,
    );
    await page
      .getByTestId('total-transactions')
      .filter({ hasText: new RegExp(`^${longRange.financial_summary.total_transactions}$`) })
      .waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('never shows a viewer the descriptions, the transactions list or the forms', async () => {
    const context = await ui.newContext();
    const { page } = await watchedPage(context);
    await signIn(page, ui.server.url, ui.seeded.tenant.tokens.viewer);
    await dashboardShown(page);
    await expect(page.getByTestId('role').textContent()).resolves.toBe('viewer');
    await expect(page.getByTestId('recent-row').count()).resolves.toBeGreaterThan(0);
    await expect(page.getByRole('columnheader', { name: 'Description' }).count()).resolves.toBe(0);
    const text = (await page.locator('body').textContent()) ?? '';
    for (const description of ['Salary', 'Rent flat', 'Ramen', 'Coffee number'])
      expect(text).not.toContain(description);
    await expect(page.getByRole('link', { name: 'Transactions' }).count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'Add data' }).count()).resolves.toBe(0);
    // Even by address, the viewer lands on the dashboard.
    await page.goto(`${ui.server.url}/app/#/manage`);
    await dashboardShown(page);
    await expect(page.getByTestId('transaction-form').count()).resolves.toBe(0);
    await context.close();
  });

  it('gives an analyst descriptions and the transactions list with filters and pages, but no forms', async () => {
    const context = await ui.newContext();
    const { page, problems } = await watchedPage(context);
    await signIn(page, ui.server.url, ui.seeded.tenant.tokens.analyst);
    await dashboardShown(page);
    await expect(page.getByRole('columnheader', { name: 'Description' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'Add data' }).count()).resolves.toBe(0);

    await page.getByRole('link', { name: 'Transactions' }).click();
    const rows = page.getByTestId('transaction-row');
    await page.getByText('25 transactions on page 1').waitFor();
    await expect(rows.count()).resolves.toBe(25);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('on page 2').waitFor();
    await expect(rows.count()).resolves.toBe(39 - 25);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('25 transactions on page 1').waitFor();

    await page.getByLabel('Category').fill('rent');
    await page.getByLabel('Type').selectOption('expense');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('2 transactions on page 1').waitFor();
    const descriptions = await page.locator('td.description').allTextContents();
    expect(descriptions.sort()).toEqual(['Rent flat 3B', 'Rent two months ago']);
    await expect(page.getByRole('button', { name: 'Next page' }).isDisabled()).resolves.toBe(true);

    // Dates are tenant-local days (Europe/Paris): last month holds exactly the 30 coffees.
    const now = new Date();
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
      .toISOString()
      .slice(0, 10);
    const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0)).toISOString().slice(0, 10);
    await page.getByLabel('Category').fill('');
    await page.getByLabel('Type').selectOption('');
    const listed = page.waitForRequest(
      (r) => r.url().includes('/financial/transactions?') && r.url().includes('from='),
    );
    await page.getByLabel('From', { exact: true }).fill(first);
    await page.getByLabel('To', { exact: true }).fill(last);
    await page.getByRole('button', { name: 'Filter' }).click();
    const query = new URL((await listed).url()).searchParams;
    // Sent as days: the API reads them in the tenant's timezone, `to` included.
    expect([query.get('from'), query.get('to')]).toEqual([first, last]);
    await page.getByText('25 transactions on page 1').waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('5 transactions on page 2').waitFor();
    expect(new Set(await page.locator('td.description').allTextContents()).size).toBe(5);
    await screenshot(page, 'transactions-desktop');
    expect(problems).toEqual([]);
    await context.close();
  });
});
