import path from 'node:path';

import { repoRoot } from '../../test/harness/repo-root.js';

/**
 * Where a stack keeps its state: `.findash/stack/` by default, or FINDASH_STACK_DIR (the e2e run
 * uses its own directory so it never touches a stack a developer has running).
 */
export interface StackPaths {
  readonly dir: string;
  readonly stateFile: string;
  readonly logs: string;
  readonly data: string;
}

export function stackPaths(dir = process.env.FINDASH_STACK_DIR): StackPaths {
  const base = dir ? path.resolve(dir) : path.join(repoRoot(), '.findash', 'stack');
  return {
    dir: base,
    stateFile: path.join(base, 'state.json'),
    logs: path.join(base, 'logs'),
    data: path.join(base, 'data'),
  };
}
