// The web UI's test session: the real API with the built UI on embedded PostgreSQL, a seeded tenant and headless
// Chromium, started once per test file; and what the UI tests do in a page.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { afterAll, beforeAll, jest } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { launchBrowser, seedTenant, startUiServer, type Seeded, type UiServer } from './harness.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** The API's decimal string as en-US shows it, with exactly its digits. */
export function money(amount: string, currency: string, signed = false): string {
  const digits = amount.includes('.') ? amount.length - amount.indexOf('.') - 1 : 0;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    ...(signed ? { signDisplay: 'exceptZero' as const } : {}),
  }).format(amount as Intl.StringNumericLiteral);
}

/** The UI server, its seeded tenant and a browser, started in the calling file's beforeAll and closed after it. */
export function uiSession() {
  let server: UiServer | undefined;
  let seeded: Seeded | undefined;
  let browser: Browser | undefined;

  // A browser on a shared 2-core CI machine beside the rest of the suite: room for a slow moment.
  jest.setTimeout(120_000);

  beforeAll(async () => {
    server = await startUiServer();
    seeded = await seedTenant(server);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    // beforeAll may have failed half-way.
    await browser?.close();
    await server?.close();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('uiSession: not started (used outside a hook or test?)');
    return value;
  };
  return {
    get server(): UiServer {
      return started(server);
    },
    get seeded(): Seeded {
      return started(seeded);
    },
    newContext(options: { phone?: boolean; dark?: boolean } = {}): Promise<BrowserContext> {
      return started(browser).newContext({
        locale: 'en-US',
        viewport: options.phone ? PHONE : DESKTOP,
        colorScheme: options.dark ? 'dark' : 'light',
        ...(options.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      });
    },
  };
}

/** Evaluates an expression in the page (a string: the page's DOM types are not this project's). */
export async function inPage(page: Page, expression: string): Promise<unknown> {
  const value: unknown = await page.evaluate(expression);
  return value;
}

export async function dashboardShown(page: Page): Promise<void> {
  await page.getByTestId('balances').waitFor();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core in the page (evaluated over the DevTools protocol, which the page's CSP does not govern). */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const result = (await inPage(page, 'axe.run()')) as { violations: AxeViolation[] };
  return result.violations;
}

export function serious(violations: AxeViolation[]): string[] {
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
