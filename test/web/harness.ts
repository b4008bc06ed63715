import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { bearer, startTestApp, type TestApp, type TestTenant } from '../harness/app.js';
import { repoRoot } from '../harness/repo-root.js';

/**
 * Browser tests drive Debian's Chromium (test/provision.sh installs the `chromium` package;
 * CHROMIUM_PATH overrides where it is) through playwright-core, which never downloads a browser,
 * against a real API listening on loopback over embedded PostgreSQL 17.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots and other artifacts of the browser tests (git-ignored). */
export const ARTIFACTS = path.join(repoRoot(), 'test-artifacts', 'web');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run test/provision.sh (apt-get install chromium)`);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespace for Chromium's sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

export interface UiServer extends TestApp {
  readonly url: string;
}

/** The real app listening on a loopback port (the browser needs a socket, not inject). */
export async function startUiServer(env: Record<string, string> = {}): Promise<UiServer> {
  const t = await startTestApp({ RATE_LIMIT_DEFAULT_RPM: '0', ...env });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  return { ...t, url: `http://127.0.0.1:${port}` };
}

export interface Seeded {
  readonly tenant: TestTenant;
  readonly accounts: { usd: string; eur: string; jpy: string };
}

/** Calendar date `monthsBack` months before today in UTC, on day `day`. */
function monthsAgo(monthsBack: number, day: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, day, 10)).toISOString();
}

/**
 * A tenant with data of every kind the dashboard shows, written through the API as its admin:
 * three accounts in three currencies (EUR has a rate to the USD base, JPY none), income and
 * expenses this month and two months ago (30 more for paging), a budget in effect that is over
 * and one that is not.
 */
export async function seedTenant(t: TestApp, options: { timezone?: string } = {}): Promise<Seeded> {
  const tenant = await t.createTenant({ baseCurrency: 'USD', timezone: options.timezone ?? 'Europe/Paris' });
  const post = async <T>(url: string, body: unknown): Promise<T> => {
    const res = await t.app.inject({
      method: 'POST',
      url,
      payload: body as object,
      headers: bearer(tenant.tokens.admin),
    });
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json<T>();
  };
  const account = async (name: string, account_type: string, currency: string) =>
    (await post<{ id: string }>('/financial/accounts', { name, account_type, currency })).id;
  const usd = await account('Everyday', 'checking', 'USD');
  const eur = await account('Savings', 'savings', 'EUR');
  const jpy = await account('Tokyo wallet', 'cash', 'JPY');
  await t
    .owner('exchange_rates')
    .insert({ base: 'EUR', quote: 'USD', rate: '1.0850000000', as_of: '2026-01-01' });

  const entry = (
    account_id: string,
    currency: string,
    transaction_type: 'income' | 'expense',
    amount: string,
    category: string,
    description: string,
    occurred_at: string,
  ) => ({ account_id, currency, transaction_type, amount, category, description, occurred_at });
  const now = new Date();
  const thisMonth = (day: number) =>
    new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), Math.min(day, now.getUTCDate()), 9),
    ).toISOString();
  const transactions = [
    entry(usd, 'USD', 'income', '4200.00', 'salary', 'Salary November', thisMonth(1)),
    entry(usd, 'USD', 'expense', '1250.50', 'rent', 'Rent flat 3B', thisMonth(1)),
    entry(usd, 'USD', 'expense', '312.45', 'groceries', 'Market hall weekly shop', thisMonth(2)),
    entry(eur, 'EUR', 'income', '1000.00', 'interest', 'Savings interest', thisMonth(1)),
    entry(eur, 'EUR', 'expense', '89.99', 'subscriptions', 'Streaming annual plan', thisMonth(1)),
    entry(jpy, 'JPY', 'expense', '8500', 'dining', 'Ramen with the team', thisMonth(1)),
    entry(usd, 'USD', 'income', '4200.00', 'salary', 'Salary two months ago', monthsAgo(2, 1)),
    entry(usd, 'USD', 'expense', '1250.50', 'rent', 'Rent two months ago', monthsAgo(2, 2)),
    entry(usd, 'USD', 'expense', '640.10', 'travel', 'Train tickets to Lyon', monthsAgo(2, 15)),
  ];
  for (let i = 0; i < 30; i += 1) {
    transactions.push(
      entry(
        usd,
        'USD',
        'expense',
        `${(i + 1).toString()}.25`,
        'coffee',
        `Coffee number ${i + 1}`,
        monthsAgo(1, 1 + (i % 27)),
      ),
    );
  }
  await post('/financial/transactions/batch', { transactions });

  const today = new Date().toISOString().slice(0, 10);
  const first = `${today.slice(0, 7)}-01`;
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
  await post('/financial/budgets', {
    name: 'Groceries',
    category: 'groceries',
    currency: 'USD',
    total_amount: '400.00',
    start_date: first,
    end_date: end,
  });
  await post('/financial/budgets', {
    name: 'Rent cap',
    category: 'rent',
    currency: 'USD',
    total_amount: '1000.00',
    start_date: first,
    end_date: end,
  });
  return { tenant, accounts: { usd, eur, jpy } };
}

/** GET as that token, through the app (the numbers the page must show). */
export async function apiGet<T>(t: TestApp, token: string, url: string): Promise<T> {
  const res = await t.app.inject({ url, headers: bearer(token) });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json<T>();
}

export interface Watched {
  readonly page: Page;
  /** CSP violations and uncaught errors seen by the page. */
  readonly problems: string[];
}

/** A page that records CSP violations and script errors (the UI must cause none). */
export async function watchedPage(context: BrowserContext): Promise<Watched> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
      problems.push(`csp: ${message.text()}`);
    }
  });
  // A string, not a function: it runs in the page, whose DOM types this Node project does not load.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) => {
      console.error('Refused to ' + event.violatedDirective + ': ' + event.blockedURI);
    });`,
  });
  return { page, problems };
}

/** Opens /app/ and signs in with a pasted token. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/app/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
