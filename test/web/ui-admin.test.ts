import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';

import { asPlatform } from '../../app/db/tenant-scope.js';
import type { FullDashboard } from '../../app/domain/dashboard/types.js';
import { apiGet, ARTIFACTS, screenshot, signIn, watchedPage } from './harness.js';
import { dashboardShown, inPage, runAxe, serious, uiSession, type AxeViolation } from './ui-session.js';

// The web UI in headless Chromium against the real API on embedded PostgreSQL: the admin forms (a 400 at its
// field, a write on the dashboard at once), a suspended tenant, accessibility (axe-core) and screenshots at
// desktop and phone widths.

const ui = uiSession();

describe('web UI: admin forms, refusals, accessibility, phone width', () => {
  it("shows an admin's form the API's 400 beside its field, and a saved write on the dashboard at once", async () => {
    const context = await ui.newContext();
    const { page, problems } = await watchedPage(context);
    await signIn(page, ui.server.url, ui.seeded.tenant.tokens.admin);
    await dashboardShown(page);
    const before = await apiGet<FullDashboard>(
      ui.server,
      ui.seeded.tenant.tokens.admin,
      '/financial/dashboard',
    );
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

    const after = await apiGet<FullDashboard>(
      ui.server,
      ui.seeded.tenant.tokens.admin,
      '/financial/dashboard',
    );
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
    const suspended = await ui.server.createTenant({ status: 'suspended' });
    const context = await ui.newContext();
    const { page } = await watchedPage(context);
    await signIn(page, ui.server.url, suspended.tokens.admin);
    const message = page.getByTestId('sign-in-error');
    await message.waitFor();
    await expect(message.textContent()).resolves.toMatch(/suspended.*contact your platform administrator/i);
    await expect(inPage(page, "sessionStorage.getItem('findash.token')")).resolves.toBeNull();
    await screenshot(page, 'suspended-desktop');

    await signIn(page, ui.server.url, 'fd_not_a_real_token_0000000000000000');
    await expect(page.getByTestId('sign-in-error').textContent()).resolves.toMatch(/not accepted/i);

    // Suspended while signed in: the next request ends the session with the same explanation.
    const later = await ui.server.createTenant();
    await signIn(page, ui.server.url, later.tokens.viewer);
    await page.getByTestId('balances').waitFor();
    await asPlatform(ui.server.owner, (trx) =>
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
      const context = await ui.newContext({ dark });
      const { page } = await watchedPage(context);
      await page.goto(`${ui.server.url}/app/`);
      await page.getByLabel('API token').waitFor();
      report.push(...serious(await axe(page, `sign-in ${mode}`)).map((v) => `sign-in ${mode}: ${v}`));
      await signIn(page, ui.server.url, ui.seeded.tenant.tokens.admin);
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
    const context = await ui.newContext({ phone: true });
    const { page, problems } = await watchedPage(context);
    await page.goto(`${ui.server.url}/app/`);
    await page.getByLabel('API token').focus();
    await page.keyboard.type(ui.seeded.tenant.tokens.admin);
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
