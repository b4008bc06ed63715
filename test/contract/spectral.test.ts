import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startTestApp, type TestApp } from '../harness/app.js';
import { repoRoot } from '../harness/repo-root.js';

const run = promisify(execFile);

interface Finding {
  code: string;
  message: string;
  path: Array<string | number>;
  severity: 0 | 1 | 2 | 3;
}

/** Spectral (@stoplight/spectral-cli, pinned in package.json) with spectral:oas on the served document. */
describe('OpenAPI document under Spectral spectral:oas', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp();
    dir = await mkdtemp(join(tmpdir(), 'findash-spectral-'));
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('has no errors and no warnings', async () => {
    const file = join(dir, 'openapi.json');
    await writeFile(file, (await t.app.inject({ url: '/docs/json' })).body);
    const root = repoRoot();
    // Exit status 1 means "findings at or above --fail-severity"; the JSON report says which.
    const { stdout } = await run(
      join(root, 'node_modules/.bin/spectral'),
      [
        'lint',
        file,
        '--ruleset',
        join(root, 'test/contract/spectral.yaml'),
        '--format',
        'json',
        '--quiet',
        '--fail-severity',
        'warn',
      ],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: unknown) => {
      const failed = error as { stdout?: string; code?: number };
      if (failed.code === 1 && failed.stdout) return { stdout: failed.stdout };
      throw error;
    });
    const findings = JSON.parse(stdout || '[]') as Finding[];
    const describe = (f: Finding): string => `${f.code} at ${f.path.join('.')}: ${f.message}`;
    expect(findings.filter((f) => f.severity === 0).map(describe)).toEqual([]);
    expect(findings.filter((f) => f.severity === 1).map(describe)).toEqual([]);
  }, 120_000);
});
