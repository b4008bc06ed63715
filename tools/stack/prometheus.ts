import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { repoRoot } from '../../test/harness/repo-root.js';
import { freePort } from '../../test/harness/ports.js';
import { httpStatus, spawnManaged, waitUntil, type ManagedChild } from './child-process.js';

/**
 * Prometheus (Debian package) scraping the API instances and the operator under the job names
 * the alert rules use (findash-api, findash-operator), with the project's rule files loaded
 * as they are in the repository. Scrapes every 2 s so targets report UP moments after start.
 */
export interface StackPrometheus {
  readonly url: string;
  readonly child: ManagedChild;
  stop(): Promise<void>;
}

export interface ScrapeTarget {
  readonly address: string;
  readonly pod: string;
}

function binary(): string {
  for (const candidate of ['/usr/bin/prometheus', '/usr/local/bin/prometheus']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // next
    }
  }
  throw new Error('prometheus is not installed: apt-get install -y prometheus (test/provision.sh does it)');
}

function config(api: readonly ScrapeTarget[], operator: ScrapeTarget, rules: string): string {
  const target = (t: ScrapeTarget) =>
    `      - targets: ['${t.address}']\n        labels: { namespace: findash-stack, pod: ${t.pod} }`;
  return `# Written by tools/stack/prometheus.ts for the local stack.
global:
  scrape_interval: 2s
  scrape_timeout: 2s
  evaluation_interval: 5s
rule_files:
  - ${rules}
scrape_configs:
  - job_name: findash-api
    metrics_path: /metrics
    static_configs:
${api.map(target).join('\n')}
  - job_name: findash-operator
    metrics_path: /metrics
    static_configs:
${target(operator)}
`;
}

export async function startPrometheus(options: {
  dir: string;
  log: string;
  api: readonly ScrapeTarget[];
  operator: ScrapeTarget;
}): Promise<StackPrometheus> {
  const bin = binary();
  mkdirSync(path.join(options.dir, 'tsdb'), { recursive: true });
  const configFile = path.join(options.dir, 'prometheus.yml');
  const rules = path.join(repoRoot(), 'monitoring', 'prometheus', 'rules', '*.yaml');
  writeFileSync(configFile, config(options.api, options.operator, rules));
  // promtool first: a broken rule file should say so, not show up as a Prometheus that never starts.
  execFileSync('promtool', ['check', 'config', configFile], { stdio: 'pipe' });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnManaged(
    'prometheus',
    bin,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(options.dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1d',
      '--web.enable-lifecycle',
    ],
    { log: options.log },
  );
  await waitUntil('prometheus ready', async () => (await httpStatus(`${url}/-/ready`)) === 200, {
    timeoutMs: 30_000,
    child,
  });
  return {
    url,
    child,
    stop: async () => {
      await child.stop({ graceMs: 10_000 });
    },
  };
}
