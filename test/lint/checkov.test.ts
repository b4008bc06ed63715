import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

import { writeEnvironment } from '../../cdk8s/app.js';
import { ENVIRONMENT_NAMES } from '../../cdk8s/environments.js';
import { renderChart, run } from '../charts/helm.js';
import { toolsBinDir } from '../harness/kube.js';
import { repoRoot } from '../harness/repo-root.js';

/**
 * checkov (PyPI, pinned in test/harness/ensure-python-tools.sh) on the Kubernetes manifests (every cdk8s
 * environment and the chart rendered with each values file) and the Dockerfile (issue #15.2). A failed check
 * passes only with a reviewed exception in test/lint/checkov-exceptions.yaml. checkov runs offline: no
 * platform mappings, no downloads.
 */
const root = repoRoot();
const checkov = path.join(toolsBinDir(), 'checkov');

interface Exception {
  check: string;
  resources?: string[];
  reason: string;
}
const exceptions = parse(
  readFileSync(path.join(root, 'test', 'lint', 'checkov-exceptions.yaml'), 'utf8'),
) as Exception[];

interface Report {
  check_type: string;
  summary: { passed: number; failed: number; parsing_errors: number; resource_count: number };
  results: { failed_checks: { check_id: string; check_name: string; resource: string; file_path: string }[] };
}

async function scan(args: string[]): Promise<Report[]> {
  if (!existsSync(checkov))
    throw new Error(`checkov not installed: run bash test/harness/ensure-python-tools.sh`);
  const result = await run(checkov, [...args, '--skip-download', '--quiet', '--compact', '-o', 'json'], {
    env: { ...process.env, BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false' },
  });
  const parsed = JSON.parse(result.stdout) as Report | Report[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'findash-checkov-'));
  for (const env of ENVIRONMENT_NAMES) {
    writeEnvironment(env, path.join(work, `cdk8s-${env}`), { warn: () => undefined });
    await writeFile(path.join(work, `helm-${env}.yaml`), await renderChart(env));
  }
}, 180_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const used = new Set<Exception>();
function unexcused(reports: Report[]): string[] {
  const found: string[] = [];
  for (const report of reports) {
    for (const f of report.results.failed_checks) {
      const exception = exceptions.find(
        (e) =>
          e.check === f.check_id &&
          // File resources are named by absolute path: match on the repository-relative end.
          (!e.resources || e.resources.some((r) => f.resource === r || f.resource.endsWith(`/${r}`))),
      );
      if (exception) used.add(exception);
      else found.push(`${f.check_id} ${f.resource} (${path.basename(f.file_path)}): ${f.check_name}`);
    }
  }
  return found;
}

describe('checkov', () => {
  it('has every exception reasoned', () => {
    for (const e of exceptions) expect(e.reason.length).toBeGreaterThan(40);
  });

  it('passes the Kubernetes checks on every environment of both deployment paths', async () => {
    const reports = await scan(['-d', work, '--framework', 'kubernetes']);
    expect(reports[0]!.summary.parsing_errors).toBe(0);
    expect(reports[0]!.summary.resource_count).toBeGreaterThan(200);
    expect(unexcused(reports)).toEqual([]);
  }, 180_000);

  it('passes the Dockerfile checks', async () => {
    const reports = await scan(['-f', path.join(root, 'Dockerfile'), '--framework', 'dockerfile']);
    expect(reports[0]!.summary.resource_count).toBe(1);
    expect(unexcused(reports)).toEqual([]);
  }, 120_000);

  it('uses every exception it lists', () => {
    expect(exceptions.filter((e) => !used.has(e)).map((e) => e.check)).toEqual([]);
  });
});
