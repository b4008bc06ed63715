import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { Role } from '../../app/domain/auth/roles.js';
import { bearer, startTestApp, type TestApp, type TestTenant } from '../harness/app.js';
import { repoRoot } from '../harness/repo-root.js';

const run = promisify(execFile);

/**
 * Schemathesis (pinned in test/harness/ensure-schemathesis.sh) against a live API on embedded
 * PostgreSQL: every check, stateful sequences through the document's links, once per role. A run
 * is bounded by examples per operation and time, so the suite stays within a few minutes in CI.
 * SCHEMATHESIS_MAX_EXAMPLES / SCHEMATHESIS_MAX_TIME / SCHEMATHESIS_SEED change the bounds;
 * SCHEMATHESIS_OUTPUT=<dir> keeps the reports.
 */
const MAX_EXAMPLES = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '25';
/** Seconds for the whole suite: the tenant admin's stateful run gets half, the other runs share the rest. */
const MAX_TIME = Number(process.env.SCHEMATHESIS_MAX_TIME ?? '180');
const SEED = process.env.SCHEMATHESIS_SEED ?? '20261203';

interface Outcome {
  readonly code: number | null;
  readonly output: string;
}

async function schemathesis(
  st: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    // In a scratch directory: st keeps a .schemathesis/ cache where it runs.
    const child = spawn(st, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('API contract under Schemathesis', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let st: string;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    const root = repoRoot();
    const installed = await run('bash', [join(root, 'test/harness/ensure-schemathesis.sh'), '--quiet'], {
      cwd: root,
    });
    st = installed.stdout.trim().split(/\s+/).at(-1) ?? '';
    // Unlimited rate so the fuzzer is not answered 429 throughout (429 is documented, so allowed).
    t = await startTestApp({ RATE_LIMIT_DEFAULT_RPM: '0' });
    tenant = await t.createTenant();
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'findash-schemathesis-'));
    // Something to read from the start: an account with a transaction, and a budget.
    const admin = bearer(tenant.tokens.admin);
    const account = await t.app.inject({
      method: 'POST',
      url: '/financial/accounts',
      headers: admin,
      payload: { name: 'Checking', account_type: 'checking', currency: 'USD' },
    });
    const { id } = account.json<{ id: string }>();
    await t.app.inject({
      method: 'POST',
      url: '/financial/transactions',
      headers: admin,
      payload: {
        account_id: id,
        amount: '12.50',
        currency: 'USD',
        transaction_type: 'income',
        occurred_at: new Date().toISOString(),
      },
    });
    await t.app.inject({
      method: 'POST',
      url: '/financial/budgets',
      headers: admin,
      payload: {
        name: 'Groceries',
        category: 'groceries',
        currency: 'USD',
        total_amount: '400',
        start_date: '2026-01-01',
        end_date: '2026-12-31',
      },
    });
  }, 600_000);

  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * One run as `who`: a tenant role on the tenant operations, or the platform administrator on
   * the admin ones (which may suspend or delete tenants, so they run last and never on ours).
   */
  async function fuzz(who: Role | 'platform', phases: string, seconds: number): Promise<Outcome> {
    const token = who === 'platform' ? (t.config.ADMIN_TOKEN ?? '') : tenant.tokens[who];
    const outcome = await schemathesis(
      st,
      [
        '--config-file',
        join(repoRoot(), 'test/contract/schemathesis.toml'),
        'run',
        `${base}/docs/json`,
        who === 'platform' ? '--include-tag' : '--exclude-tag',
        'admin',
        '--checks',
        'all',
        // A deleted tenant stays readable with status "deleted" (see schemathesis.toml).
        ...(who === 'platform' ? ['--exclude-checks', 'use_after_free'] : []),
        '--phases',
        phases,
        '--max-examples',
        MAX_EXAMPLES,
        '--max-time',
        String(Math.max(10, Math.round(seconds))),
        '--seed',
        SEED,
        // One worker: with two, CPython 3.11's ast.parse races in Hypothesis's lambda descriptions
        // ("AST constructor recursion depth mismatch") and the run ends in a runtime error.
        '--workers',
        '1',
        '--request-timeout',
        '15',
        '--generation-database',
        'none',
        '--header',
        `Authorization: Bearer ${token}`,
        '--report',
        'junit',
        '--report-dir',
        join(dir, who),
      ],
      { FINDASH_ADMIN_TOKEN: t.config.ADMIN_TOKEN ?? '' },
      dir,
    );
    // SCHEMATHESIS_OUTPUT=<dir> keeps each role's full report there.
    const keep = process.env.SCHEMATHESIS_OUTPUT;
    if (keep) await writeFile(join(keep, `schemathesis-${who}.txt`), outcome.output);
    return outcome;
  }

  const runs: ReadonlyArray<[Role | 'platform', string, number]> = [
    ['viewer', 'examples,coverage,fuzzing', MAX_TIME / 6],
    ['analyst', 'examples,coverage,fuzzing', MAX_TIME / 6],
    ['admin', 'examples,coverage,fuzzing,stateful', MAX_TIME / 2],
    ['platform', 'examples,coverage,fuzzing,stateful', MAX_TIME / 6],
  ];
  for (const [who, phases, seconds] of runs) {
    it(
      `finds no failure as ${who} (${phases})`,
      async () => {
        const outcome = await fuzz(who, phases, seconds);
        if (outcome.code !== 0) console.log(outcome.output);
        expect(outcome.output).toMatch(/Selected: \d+\/\d+/);
        // Viewers and analysts are refused writes (403, documented); the admin token must work everywhere.
        if (who === 'admin' || who === 'platform')
          expect(outcome.output).not.toMatch(/Authentication failed/);
        expect(outcome.code).toBe(0);
      },
      (seconds + 120) * 1000,
    );
  }
});
