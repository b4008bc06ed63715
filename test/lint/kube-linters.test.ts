import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

import { writeEnvironment } from '../../cdk8s/app.js';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../cdk8s/environments.js';
import { renderChart, run } from '../charts/helm.js';
import { toolsBinDir } from '../harness/kube.js';
import { repoRoot } from '../harness/repo-root.js';
import { SCHEMA_TEMPLATE, ensureKubeSchemas } from './kube-schemas.js';

/**
 * Manifest linters nobody here wrote (issue #15.2), on every environment's cdk8s output and the chart rendered
 * with each values file: kubeconform -strict against the Kubernetes schemas of the cluster version the tests
 * run and the CRDs the repository ships, and kube-score. A kube-score finding passes only with a reviewed
 * exception in test/lint/kube-score-exceptions.yaml; an exception that matches nothing fails too.
 */
const bin = (tool: string) => {
  const file = path.join(toolsBinDir(), tool);
  if (!existsSync(file)) throw new Error(`${tool} not built: run \`npm run tools\` (expected ${file})`);
  return file;
};

interface Output {
  readonly env: EnvironmentName;
  readonly tool: 'cdk8s' | 'helm';
  readonly files: string[];
}
let work: string;
let schemas: string;
const outputs: Output[] = [];

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'findash-kube-lint-'));
  schemas = ensureKubeSchemas();
  for (const env of ENVIRONMENT_NAMES) {
    const dir = path.join(work, `cdk8s-${env}`);
    writeEnvironment(env, dir, { warn: () => undefined });
    outputs.push({
      env,
      tool: 'cdk8s',
      files: (await readdir(dir)).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f)),
    });
    const file = path.join(work, `helm-${env}.yaml`);
    await writeFile(file, await renderChart(env));
    outputs.push({ env, tool: 'helm', files: [file] });
  }
}, 180_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('kubeconform -strict', () => {
  it('finds every object of every output valid against the Kubernetes and CRD schemas', async () => {
    for (const output of outputs) {
      const result = await run(bin('kubeconform'), [
        '-strict',
        '-summary',
        '-output',
        'json',
        '-schema-location',
        path.join(schemas, SCHEMA_TEMPLATE),
        ...output.files,
      ]);
      const report = JSON.parse(result.stdout) as {
        resources?: { filename: string; kind: string; name: string; status: string; msg: string }[];
        summary: { valid: number; invalid: number; errors: number; skipped: number };
      };
      const problems = (report.resources ?? [])
        .filter((r) => r.status !== 'statusValid')
        .map((r) => `${r.kind}/${r.name}: ${r.msg}`);
      expect({ output: `${output.env}/${output.tool}`, problems }).toEqual({
        output: `${output.env}/${output.tool}`,
        problems: [],
      });
      expect(report.summary).toMatchObject({ invalid: 0, errors: 0, skipped: 0 });
      expect(report.summary.valid).toBeGreaterThan(20);
      expect(result.code).toBe(0);
    }
  });

  it('rejects what a cluster would reject (an unknown field)', async () => {
    const file = path.join(work, 'bad.yaml');
    await writeFile(
      file,
      'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {prots: [{port: 80}]}\n',
    );
    const result = await run(bin('kubeconform'), [
      '-strict',
      '-schema-location',
      path.join(schemas, SCHEMA_TEMPLATE),
      file,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("additional properties 'prots' not allowed");
  });
});

interface Exception {
  check: string;
  objects?: string[];
  environments?: EnvironmentName[];
  reason: string;
}
const exceptions = parse(
  readFileSync(path.join(repoRoot(), 'test', 'lint', 'kube-score-exceptions.yaml'), 'utf8'),
) as Exception[];

describe('kube-score', () => {
  it('has every exception reasoned', () => {
    for (const e of exceptions) expect(e.reason.length).toBeGreaterThan(40);
  });

  it('passes every check on every output, but for the reviewed exceptions', async () => {
    const used = new Set<Exception>();
    const unexcused: string[] = [];
    for (const output of outputs) {
      const result = await run(bin('kube-score'), [
        'score',
        '--kubernetes-version',
        'v1.32',
        '--output-format',
        'json',
        ...output.files,
      ]);
      const report = JSON.parse(result.stdout) as {
        object_meta: { name: string };
        type_meta: { kind: string };
        checks: { check: { id: string }; grade: number; skipped: boolean; comments: { summary: string }[] }[];
      }[];
      for (const object of report) {
        const id = `${object.type_meta.kind}/${object.object_meta.name}`;
        for (const check of object.checks) {
          if (check.skipped || check.grade >= 10) continue;
          const exception = exceptions.find(
            (e) =>
              e.check === check.check.id &&
              (!e.objects || e.objects.includes(id)) &&
              (!e.environments || e.environments.includes(output.env)),
          );
          if (exception) used.add(exception);
          else {
            const why = check.comments.map((c) => c.summary).join('; ');
            unexcused.push(`${output.env}/${output.tool} ${id}: ${check.check.id} (${why})`);
          }
        }
      }
    }
    expect(unexcused).toEqual([]);
    expect(exceptions.filter((e) => !used.has(e)).map((e) => e.check)).toEqual([]);
  });
});
