import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';

import { buildApp } from '../../app/build.js';
import { loadConfig } from '../../app/config.js';
import { asPlatform } from '../../app/db/tenant-scope.js';
import { buildUi, bundleInputs } from '../../app/dev/web-build.js';
import { startDevDatabase } from '../../app/dev/embedded-database.js';
import { issueApiToken, revokeApiTokens } from '../../app/domain/tenants/api-tokens.js';
import { freePort } from '../../test/harness/ports.js';
import { launchBrowser } from '../../test/web/harness.js';
import { openBenchDatabase, ensureBenchTenant } from './bench-database.js';

/**
 * `npm run ui:measure [-- --million]`: the web UI's bundle size and first-render time. Not a timed
 * test: it prints numbers to compare between changes.
 *
 * - Bundle: every built file raw, gzip -9 and brotli -11 (what the server sends), and the script's
 *   bytes per package (esbuild's metafile).
 * - First render: the embedded default of `npm start` (embedded PostgreSQL 17, in-process cache, the
 *   seeded 5,000-transaction demo tenant) in a temporary data directory; headless Chromium opens
 *   /app/ with the token already in session storage and a cold cache, and the page reports when
 *   the dashboard (balances) is on screen and when the trend chart is drawn, against the start of
 *   navigation. Then the same with a warm cache (assets immutable, index.html revalidated by
 *   ETag). With --million, the same against the benchmark's 1,000,000-transaction tenant
 *   (tools/bench/bench-database.ts; seeded once, minutes, and reused).
 */
const RUNS = 7;

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function bundleReport(): Promise<void> {
  const files = await buildUi();
  console.log('bundle (what /app/ sends):');
  let gz = 0;
  let br = 0;
  for (const file of files) {
    const g = gzipSync(file.body, { level: 9 }).length;
    const b = brotliCompressSync(file.body).length;
    gz += g;
    br += b;
    console.log(
      `  ${file.name.padEnd(32)} ${kb(file.body.length).padStart(10)} raw ${kb(g).padStart(10)} gzip ${kb(b).padStart(10)} brotli`,
    );
  }
  console.log(
    `  ${'total'.padEnd(32)} ${''.padStart(14)} ${kb(gz).padStart(10)} gzip ${kb(br).padStart(10)} brotli`,
  );
  console.log('script bytes per package (minified, before compression):');
  for (const [name, bytes] of Object.entries(await bundleInputs()))
    console.log(`  ${name.padEnd(24)} ${kb(bytes)}`);
}

interface Render {
  /** performance.now() when the balances section appeared. */
  dashboard: number;
  /** … when the trend chart's canvas appeared. */
  chart: number;
  firstContentfulPaint: number;
  /** Start and end of the /financial/dashboard response (resource timing). */
  apiStart: number;
  apiEnd: number;
}

/** Installed before the page's scripts: records when the dashboard and the chart appear. */
const OBSERVER = `
  window.__render = {};
  new MutationObserver(() => {
    const r = window.__render;
    if (!r.dashboard && document.querySelector('[data-testid="balances"]')) r.dashboard = performance.now();
    if (!r.chart && document.querySelector('[data-testid="trend"] canvas')) r.chart = performance.now();
    const trend = document.querySelector('[data-testid="trend"]');
    if (r.dashboard && trend && (r.chart || !trend.querySelector('.chart'))) r.done = true;
  }).observe(document, { childList: true, subtree: true });
`;

async function renderOnce(browser: Browser, url: string, token: string, warm: boolean): Promise<Render> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  await context.addInitScript({
    content: `sessionStorage.setItem('findash.token', ${JSON.stringify(token)});${OBSERVER}`,
  });
  const page = await context.newPage();
  if (warm) {
    await page.goto(`${url}/app/`);
    await page.waitForFunction(
      () => (globalThis as unknown as { __render?: { done?: boolean } }).__render?.done === true,
    );
  }
  await page.goto(`${url}/app/`);
  // A function, not a string: the page's CSP (rightly) refuses eval, which a string predicate needs.
  await page.waitForFunction(
    () => (globalThis as unknown as { __render?: { done?: boolean } }).__render?.done === true,
  );
  await page.waitForTimeout(50);
  const result = await page.evaluate<Render>(`(() => {
    const r = window.__render;
    const paint = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
    const api = performance.getEntriesByType('resource').filter((e) => e.name.includes('/financial/dashboard')).pop();
    return { dashboard: r.dashboard, chart: r.chart ?? r.dashboard, firstContentfulPaint: paint ? paint.startTime : 0,
      apiStart: api ? api.startTime : 0, apiEnd: api ? api.responseEnd : 0 };
  })()`);
  await context.close();
  return result;
}

async function renderReport(browser: Browser, url: string, token: string, label: string): Promise<void> {
  for (const warm of [false, true]) {
    const runs: Render[] = [];
    await renderOnce(browser, url, token, warm); // let the server's caches and the JIT settle
    for (let i = 0; i < RUNS; i += 1) runs.push(await renderOnce(browser, url, token, warm));
    const m = (pick: (r: Render) => number) => median(runs.map(pick)).toFixed(0).padStart(5);
    console.log(
      `first render, ${label}, ${warm ? 'warm' : 'cold'} cache (median of ${RUNS}, ms from navigation start):`,
    );
    console.log(`  first contentful paint ${m((r) => r.firstContentfulPaint)}`);
    console.log(
      `  dashboard on screen    ${m((r) => r.dashboard)}   (API answer at ${m((r) => r.apiEnd)}, took ${m((r) => r.apiEnd - r.apiStart)})`,
    );
    console.log(`  chart drawn            ${m((r) => r.chart)}`);
    console.log(`  rendering after the API answered ${m((r) => r.dashboard - r.apiEnd)}`);
  }
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

async function embeddedDefault(browser: Browser): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'findash-ui-measure-'));
  // As root, embedded PostgreSQL runs as the postgres user, which must reach the data directory.
  await chmod(dataDir, 0o755);
  const log = (line: string) => console.log(`  [findash] ${line}`);
  let config = loadConfig({
    FINDASH_ENV: 'development',
    LOG_LEVEL: 'warn',
    FINDASH_DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    RATE_LIMIT_DEFAULT_RPM: '0',
  });
  const dev = await startDevDatabase(config, log);
  config = { ...config, DATABASE_URL: dev.appUrl, DATABASE_OWNER_URL: dev.ownerUrl };
  const app = await buildApp({ config, logger: false });
  try {
    const url = await listen(app);
    if (!dev.demoToken) throw new Error('no demo token');
    await renderReport(browser, url, dev.demoToken, 'embedded default (demo tenant, 5,000 transactions)');
  } finally {
    await app.close();
    await dev.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function million(browser: Browser): Promise<void> {
  const log = (line: string) => console.log(`  [bench] ${line}`);
  const db = await openBenchDatabase(log);
  try {
    const tenant = await ensureBenchTenant(db, 1_000_000, log);
    const token = await asPlatform(db.owner, async (trx) => {
      await revokeApiTokens(trx, tenant.id, 'ui-measure');
      return (await issueApiToken(trx, tenant.id, 'ui-measure', 'analyst')).token;
    });
    const config = loadConfig({
      FINDASH_ENV: 'testing',
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.appUrl,
      DATABASE_OWNER_URL: db.ownerUrl,
      RATE_LIMIT_DEFAULT_RPM: '0',
    });
    const app = await buildApp({ config, logger: false });
    try {
      await renderReport(browser, await listen(app), token, '1,000,000-transaction tenant');
    } finally {
      await app.close();
    }
  } finally {
    await db.stop();
  }
}

async function main(): Promise<void> {
  await bundleReport();
  const browser = await launchBrowser();
  try {
    await embeddedDefault(browser);
    if (process.argv.includes('--million')) await million(browser);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
