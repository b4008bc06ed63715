import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

import { repoRoot } from '../../test/harness/repo-root.js';

/**
 * The API "builds" the stack can run, for the rollback check:
 *
 * - `current`: the working tree itself (what `stack:up` was started from).
 * - `previous`: a frozen copy made at `stack:up`. By default it is a copy of the current tree's
 *   API sources (app/, migrations/, package.json, tsconfig.json), so the rollback exercises the
 *   mechanism (instances restarted one at a time from another directory, behind the load
 *   balancer, with no failed request) deterministically on any commit. With
 *   STACK_PREVIOUS_REF=<git ref> (e.g. HEAD~1) it is that commit's tree instead (`git archive`,
 *   nothing in the repository changes), which is the realistic "roll back one release"; that ref
 *   must run against the current database schema, as any code rollback must.
 *
 * Builds live under the stack directory, inside the repository, so node resolves dependencies
 * from the repository's node_modules by walking up: no install per build.
 */
export interface Build {
  readonly name: string;
  readonly dir: string;
  readonly description: string;
}

const SOURCES = ['app', 'migrations', 'package.json', 'tsconfig.json'];

export async function prepareBuilds(buildsDir: string): Promise<Record<string, Build>> {
  const root = repoRoot();
  const previousDir = path.join(buildsDir, 'previous');
  await rm(previousDir, { recursive: true, force: true });
  await mkdir(previousDir, { recursive: true });
  const ref = process.env.STACK_PREVIOUS_REF;
  let description: string;
  if (ref) {
    const commit = execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const archive = execFileSync('git', ['archive', '--format=tar', commit, ...SOURCES], {
      cwd: root,
      maxBuffer: 512 * 1024 * 1024,
    });
    execFileSync('tar', ['-x', '-C', previousDir], { input: archive });
    description = `git ${ref} (${commit}) via git archive`;
  } else {
    for (const entry of SOURCES) {
      const from = path.join(root, entry);
      if (existsSync(from)) await cp(from, path.join(previousDir, entry), { recursive: true });
    }
    description = 'copy of the working tree made at stack:up (STACK_PREVIOUS_REF=<ref> for a git commit)';
  }
  if (!existsSync(path.join(previousDir, 'app', 'server.ts'))) {
    throw new Error(`the previous build (${description}) has no app/server.ts`);
  }
  return {
    current: { name: 'current', dir: root, description: `working tree ${root}` },
    previous: { name: 'previous', dir: previousDir, description },
  };
}
