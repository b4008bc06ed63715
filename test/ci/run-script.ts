import { spawn } from 'node:child_process';
import path from 'node:path';

import { repoRoot } from '../harness/repo-root.js';

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a ci/ script with bash (asynchronously, so an in-process fake server keeps answering). */
export function runScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(repoRoot(), script), ...args], {
      cwd: repoRoot(),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The PASS/FAIL lines of a script's output. */
export const verdicts = (stdout: string): string[] =>
  stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));
