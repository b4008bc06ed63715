import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { parseAllDocuments } from 'yaml';

import { toolsBinDir } from '../harness/kube.js';
import { repoRoot } from '../harness/repo-root.js';

/** Helpers for tests that render and lint charts/findash with the real helm binary. */

export const ENVIRONMENTS = ['development', 'testing', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const CHART_DIR = path.join(repoRoot(), 'charts', 'findash');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** helm as built by test/harness/ensure-tools.sh; throws with the fix when it is missing. */
export function helmBinary(): string {
  const helm = process.env.HELM ?? path.join(toolsBinDir(), 'helm');
  if (!existsSync(helm)) {
    throw new Error(`helm not found at ${helm}: run \`npm run tools\` (test/harness/ensure-tools.sh helm)`);
  }
  return helm;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; resolves with its exit code and output (never rejects on exit code). */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { maxBuffer: 64 * 1024 * 1024, env: options.env ?? process.env },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
        // A command that could not start (ENOENT) reports why instead of an empty stderr.
        resolve({
          code,
          stdout,
          stderr: error && typeof error.code !== 'number' ? `${stderr}${error.message}` : stderr,
        });
      },
    );
    // A command may exit before reading its input (EPIPE); its exit code and output tell what happened.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input);
  });
}

export function valuesFile(env: Environment): string {
  return path.join(CHART_DIR, `values-${env}.yaml`);
}

/** `helm template` of one environment; rejects with helm's message when rendering fails. */
export async function renderChart(env: Environment | undefined, extraArgs: string[] = []): Promise<string> {
  const args = ['template', 'findash', CHART_DIR, '--namespace', 'findash'];
  if (env) args.push('-f', valuesFile(env));
  const result = await run(helmBinary(), [...args, ...extraArgs]);
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return result.stdout;
}

export function parseObjects(yamlText: string): K8sObject[] {
  return parseAllDocuments(yamlText)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((obj): obj is K8sObject => obj !== null && typeof obj === 'object' && 'kind' in obj);
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found)
    throw new Error(
      `${kind}/${name} not rendered; have ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
    );
  return found;
}
