import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { asPlatform } from '../../app/db/tenant-scope.js';
import type { FullDashboard } from '../../app/domain/dashboard/types.js';
import {
  apiGet,
  ARTIFACTS,
  launchBrowser,
  screenshot,
  seedTenant,
  signIn,
  startUiServer,
  watchedPage,
  type Seeded,
  type UiServer,
} from './harness.js';

/**
 * The web UI in headless Chromium against the real API on embedded PostgreSQL: sign-in, the
 * numbers the API returns for seeded data, the date range, what each role sees, the admin
 * forms (a 400 at its field, a write on the dashboard at once), a suspended tenant, the CSP,
 * accessibility (axe-core) and screenshots at desktop and phone widths.
 */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

/** The API's decimal string as en-US shows it, with exactly its digits. */
function money(amount: string, currency: string, signed = false): string {
  const digits = amount.includes('.') ? amount.length - amount.indexOf('.') - 1 : 0;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    ...(signed ? { signDisplay: 'exceptZero' as const } : {}),
  }).format(amount as Intl.StringNumericLiteral);
}

let server: UiServer;
let seeded: Seeded;
let browser: Browser;

// A browser on a shared 2-core CI machine beside the rest of the suite: room for a slow moment.
jest.setTimeout(120_000);

beforeAll(async () => {
  server = await startUiServer();
  seeded = await seedTenant(server);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  // beforeAll may have failed half-way.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  await browser?.close();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  await server?.close();
});

/** Evaluates an expression in the page (a string: the page's DOM types are not this project's). */
async function inPage(page: Page, expression: string): Promise<unknown> {
  const value: unknown = await page.evaluate(expression);
  return value;
}

async function newContext(options: { phone?: boolean; dark?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({
    locale: 'en-US',
    viewport: options.phone ? PHONE : DESKTOP,
    colorScheme: options.dark ? 'dark' : 'light',
    ...(options.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
}

async function dashboardShown(page: Page): Promise<void> {
  await page.getByTestId('balances').waitFor();
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core in the page (evaluated over the DevTools protocol, which the page's CSP does not govern). */
async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const result = (await inPage(page, 'axe.run()')) as { violations: AxeViolation[] };
  return result.violations;
}

function serious(violations: AxeViolation[]): string[] {
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('web UI', () => {
  it('serves the page under a strict CSP, hashed assets immutable and index.html revalidated', async () => {
    const index = await fetch(`${server.url}/app/`);
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
    const asset = await fetch(`${server.url}${script ?? ''}`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${server.url}/`, { redirect: 'manual' })).headers.get('location')).toBe('/app/');
  });

  it('signs in with a pasted token and shows the numbers the API returns', async () => {
    const context = await newContext();
    const { page, problems } = await watchedPage(context);
    await signIn(page, server.url, seeded.tenant.tokens.admin);
    await dashboardShown(page);
    const api = await apiGet<FullDashboard>(server, seeded.tenant.tokens.admin, '/financial/dashboard');

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
    expect(page.url()).not.toContain(seeded.tenant.tokens.admin);
    expect(await context.cookies()).toEqual([]);
    await expect(inPage(page, "sessionStorage.getItem('findash.token')")).resolves.toBe(
      seeded.tenant.tokens.admin,
    );
    await screenshot(page, 'dashboard-desktop');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('maps the range picker to from/to and shows the API numbers for that range', async () => {
    const context = await newContext();
    const { page, problems } = await watchedPage(context);
    await signIn(page, server.url, seeded.tenant.tokens.analyst);
    await dashboardShown(page);
    const all = await apiGet<FullDashboard>(server, seeded.tenant.tokens.analyst, '/financial/dashboard');

    const request = page.waitForRequest((r) => r.url().includes('/financial/dashboard?'));
    await page.getByRole('button', { name: 'This month' }).click();
    const url = new URL((await request).url());
    const from = url.searchParams.get('from') ?? '';
    const to = url.searchParams.get('to') ?? '';
    expect(from).toMatch(/^\d{4}-\d{2}-01$/);
    expect(to).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const month = await apiGet<FullDashboard>(
      server,
      seeded.tenant.tokens.analyst,
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
      server,
      seeded.tenant.tokens.analyst,
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
      server,
      seeded.tenant.tokens.analyst,
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
    const context = await newContext();
    const { page } = await watchedPage(context);
    await signIn(page, server.url, seeded.tenant.tokens.viewer);
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
    await page.goto(`${server.url}/app/#/manage`);
    await dashboardShown(page);
    await expect(page.getByTestId('transaction-form').count()).resolves.toBe(0);
    await context.close();
  });

  it('gives an analyst descriptions and the transactions list with filters and pages, but no forms', async () => {
    const context = await newContext();
    const { page, problems } = await watchedPage(context);
    await signIn(page, server.url, seeded.tenant.tokens.analyst);
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

  it("shows an admin's form the API's 400 beside its field, and a saved write on the dashboard at once", async () => {
    const context = await newContext();
    const { page, problems } = await watchedPage(context);
    await signIn(page, server.url, seeded.tenant.tokens.admin);
    await dashboardShown(page);
    const before = await apiGet<FullDashboard>(server, seeded.tenant.tokens.admin, '/financial/dashboard');
    await page.getByRole('link', { name: 'Add data' }).click();
    const form = page.getByTestId('transaction-form');
    await form.getByLabel('Account').selectOption({ label: 'Everyday (USD)' });
    await form.getByLabel('Amount').fill('12.345');
    await form.getByLabel('Category').fill('books');
    await form.getByRole('button', { name: 'Add transaction' }).click();
    const error = form.locator('[data-field-error="amount"]');
    await error.waitFor();
    await expect(error.textContent()).resolves.toMatch(/decimal|places|digits/i);
    await expect(form.getByLabel('Amount').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(
      form.getByLabel('Amount').evaluate((el) => el === el.ownerDocument.activeElement),
    ).resolves.toBe(true);
    const describedBy = (await form.getByLabel('Amount').getAttribute('aria-describedby')) ?? '';
    expect(describedBy.split(' ')).toContain((await error.getAttribute('id')) ?? 'missing');
    await screenshot(page, 'form-error-desktop');

    await form.getByLabel('Amount').fill('12.34');
    await form.getByRole('button', { name: 'Add transaction' }).click();
    await form.getByText('Saved: expense of 12.34 USD.').waitFor();
    await expect(form.locator('[data-field-error]').count()).resolves.toBe(0);

    const after = await apiGet<FullDashboard>(server, seeded.tenant.tokens.admin, '/financial/dashboard');
    const usdBefore = before.financial_summary.total_balance.find((b) => b.currency === 'USD')?.amount;
    const usdAfter = after.financial_summary.total_balance.find((b) => b.currency === 'USD')?.amount ?? '';
    expect(usdAfter).not.toBe(usdBefore);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByTestId('balance-USD').locator(`.money[data-amount="${usdAfter}"]`).waitFor();
    await expect(page.getByTestId('recent').textContent()).resolves.toContain('books');

    // The account form's field error too: a currency that is not ISO 4217.
    await page.getByRole('link', { name: 'Add data' }).click();
    const accounts = page.getByTestId('account-form');
    await accounts.getByLabel('Name').fill('Broken');
    await accounts.getByLabel('Currency').fill('XYZ');
    await accounts.getByRole('button', { name: 'Add account' }).click();
    await accounts.locator('[data-field-error="currency"]').waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it("explains a suspended tenant's token and a revoked one on the sign-in page", async () => {
    const suspended = await server.createTenant({ status: 'suspended' });
    const context = await newContext();
    const { page } = await watchedPage(context);
    await signIn(page, server.url, suspended.tokens.admin);
    const message = page.getByTestId('sign-in-error');
    await message.waitFor();
    await expect(message.textContent()).resolves.toMatch(/suspended.*contact your platform administrator/i);
    await expect(inPage(page, "sessionStorage.getItem('findash.token')")).resolves.toBeNull();
    await screenshot(page, 'suspended-desktop');

    await signIn(page, server.url, 'fd_not_a_real_token_0000000000000000');
    await expect(page.getByTestId('sign-in-error').textContent()).resolves.toMatch(/not accepted/i);

    // Suspended while signed in: the next request ends the session with the same explanation.
    const later = await server.createTenant();
    await signIn(page, server.url, later.tokens.viewer);
    await page.getByTestId('balances').waitFor();
    await asPlatform(server.owner, (trx) =>
      trx('tenants').where({ id: later.id }).update({ status: 'suspended' }),
    );
    await page.getByRole('button', { name: 'Last 3 months' }).click();
    await expect(page.getByTestId('sign-in-error').textContent()).resolves.toMatch(/suspended/i);
    await expect(inPage(page, "sessionStorage.getItem('findash.token')")).resolves.toBeNull();
    await context.close();
  });

  it('has no serious or critical axe-core violations, in light and dark mode', async () => {
    const report: string[] = [];
    // Every violation of any impact, per view, for the record (test-artifacts/web/axe.json).
    const all: Record<string, Array<{ id: string; impact: string | null; nodes: number }>> = {};
    const axe = async (page: Page, view: string): Promise<AxeViolation[]> => {
      const violations = await runAxe(page);
      all[view] = violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
      return violations;
    };
    for (const dark of [false, true]) {
      const mode = dark ? 'dark' : 'light';
      const context = await newContext({ dark });
      const { page } = await watchedPage(context);
      await page.goto(`${server.url}/app/`);
      await page.getByLabel('API token').waitFor();
      report.push(...serious(await axe(page, `sign-in ${mode}`)).map((v) => `sign-in ${mode}: ${v}`));
      await signIn(page, server.url, seeded.tenant.tokens.admin);
      await dashboardShown(page);
      await page.getByText('Show the trend as a table').click();
      report.push(...serious(await axe(page, `dashboard ${mode}`)).map((v) => `dashboard ${mode}: ${v}`));
      if (dark) await screenshot(page, 'dashboard-dark-desktop');
      await page.getByRole('link', { name: 'Transactions' }).click();
      await page.getByTestId('transaction-row').first().waitFor();
      report.push(
        ...serious(await axe(page, `transactions ${mode}`)).map((v) => `transactions ${mode}: ${v}`),
      );
      await page.getByRole('link', { name: 'Add data' }).click();
      await page.getByTestId('transaction-form').waitFor();
      report.push(...serious(await axe(page, `forms ${mode}`)).map((v) => `forms ${mode}: ${v}`));
      if (dark) await screenshot(page, 'forms-dark-desktop');
      await context.close();
    }
    await writeFile(path.join(ARTIFACTS, 'axe.json'), `${JSON.stringify(all, null, 2)}\n`);
    expect(report).toEqual([]);
  });

  it('works at phone width: no horizontal scrolling, every view reachable, keyboard sign-in', async () => {
    const context = await newContext({ phone: true });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${server.url}/app/`);
    await page.getByLabel('API token').focus();
    await page.keyboard.type(seeded.tenant.tokens.admin);
    await page.keyboard.press('Enter');
    await dashboardShown(page);
    const overflow = await inPage(page, 'document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'dashboard-phone');
    await page.getByRole('link', { name: 'Transactions' }).click();
    await page.getByTestId('transaction-row').first().waitFor();
    await screenshot(page, 'transactions-phone');
    await page.getByRole('link', { name: 'Add data' }).click();
    await page.getByTestId('transaction-form').waitFor();
    await screenshot(page, 'forms-phone');
    expect(
      await inPage(page, 'document.documentElement.scrollWidth - window.innerWidth'),
    ).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
