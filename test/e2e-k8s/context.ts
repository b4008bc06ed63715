import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { Report } from '../e2e/report.js';
import { repoRoot } from '../harness/repo-root.js';
import { lastLines, sh, type ShellResult } from './shell.js';

// What every step of `npm run e2e:k8s` shares: the report, the log every command's output goes to, and the
// commands bound to the cluster's kubeconfig and the node's image map.

export const root = repoRoot();
mkdirSync(path.join(root, '.findash'), { recursive: true });
export const log = path.join(root, '.findash', 'e2e-k8s.log');
writeFileSync(log, `e2e:k8s ${new Date().toISOString()}\n`);
export const kubeconfig = path.join(root, '.findash', 'kubeconfig');
export const imageMap = path.join(root, 'ci', 'images', 'node-images.json');
export const report = new Report();
export const BROKEN_IMAGE = 'findash:drill-exits-at-start';
/** findash:dev under a second tag: a good release to roll back from. */
export const SECOND_RELEASE = 'findash:drill-second-release';

export const run = (command: string, args: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number) =>
  sh(command, args, { log, env, timeoutMs });
export const kubectl = (args: string[], input?: string) =>
  sh('kubectl', ['--kubeconfig', kubeconfig, ...args], { log, input, timeoutMs: 120_000 });
export const deploy = (env: string, args: string[], extraEnv?: NodeJS.ProcessEnv) =>
  run(
    'bash',
    ['ci/deploy.sh', env, '--kubeconfig', kubeconfig, '--image-map', imageMap, ...args],
    extraEnv,
    1_200_000,
  );

export function ok(result: ShellResult, figure: string): [boolean, string] {
  return result.code === 0 ? [true, figure] : [false, `exit ${result.code}: ${lastLines(result)}`];
}
