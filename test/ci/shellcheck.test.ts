import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { repoRoot } from '../harness/repo-root.js';
import { run } from '../charts/helm.js';

/** Every ci/ script passes shellcheck (installed by test/provision.sh) and fails fast on errors. */

const root = repoRoot();
const ciDir = path.join(root, 'ci');
const scripts = (function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return walk(full);
    return entry.name.endsWith('.sh') ? [path.relative(root, full)] : [];
  });
})(ciDir).sort();

describe('ci/ shell scripts', () => {
  it('include the deploy, smoke, load, image, kind and rollback scripts', () => {
    expect(scripts).toEqual(
      expect.arrayContaining([
        'ci/build-images.sh',
        'ci/deploy.sh',
        'ci/kind-up.sh',
        'ci/lib.sh',
        'ci/load-test.sh',
        'ci/scripts/emergency-rollback.sh',
        'ci/smoke-test.sh',
      ]),
    );
  });

  it.each(scripts)('%s passes shellcheck', async (script) => {
    const result = await run('shellcheck', ['-x', '--severity=style', path.join(root, script)]);
    if (/ENOENT/.test(result.stderr)) {
      throw new Error('shellcheck not installed: run test/provision.sh (apt-get install -y shellcheck)');
    }
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  });

  // Scripts that change a cluster or gate a pipeline stop at the first failing command.
  const failFast = [
    'ci/build-images.sh',
    'ci/deploy.sh',
    'ci/kind-up.sh',
    'ci/load-test.sh',
    'ci/scripts/emergency-rollback.sh',
    'ci/smoke-test.sh',
  ];
  it.each(failFast)('%s is executable bash that stops on the first error', (script) => {
    const text = readFileSync(path.join(root, script), 'utf8');
    expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(text).toMatch(/^set -euo pipefail$/m);
    expect(statSync(path.join(root, script)).mode & 0o111).not.toBe(0);
  });
});
