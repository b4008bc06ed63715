import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { repoRoot } from '../../test/harness/repo-root.js';
import { tsxLoader } from './child-process.js';
import { describeStack, rel, tail } from './describe.js';
import { down } from './down.js';
import { killLeftovers, supervisorAlive } from './leftovers.js';
import type { StackPaths } from './paths.js';
import { readState } from './state.js';

const UP_TIMEOUT_MS = 10 * 60_000;

/**
 * `stack:up`: reports a stack that is already ready, else clears what a previous one left, provisions
 * the machine, starts the supervisor detached and echoes its log until the stack is ready or failed.
 */
export async function up(paths: StackPaths): Promise<number> {
  const existing = readState(paths.stateFile);
  if (existing && supervisorAlive(existing) && existing.phase === 'ready') {
    console.log(`The stack is already running (supervisor pid ${existing.supervisorPid}).\n`);
    console.log(describeStack(existing, paths));
    return 0;
  }
  if (existing) {
    if (supervisorAlive(existing)) {
      console.log(`A stack in phase "${existing.phase}" is running; stopping it first...`);
      await down(paths, { quiet: true });
    } else {
      const left = await killLeftovers(existing);
      if (left.length > 0)
        console.log(
          `Cleaned up ${left.length} processes of a stack that died: ${left.map((p) => p.name).join(', ')}`,
        );
    }
    rmSync(paths.stateFile, { force: true });
  }

  // The Debian packages and the Go-built Kubernetes binaries (a second on a provisioned machine).
  execFileSync('bash', [path.join(repoRoot(), 'test', 'provision.sh')], { stdio: 'inherit' });

  mkdirSync(paths.logs, { recursive: true });
  const supervisorLog = path.join(paths.logs, 'supervisor.log');
  rmSync(supervisorLog, { force: true });
  const started = Date.now();
  const fd = openSync(supervisorLog, 'a');
  const child = spawn(
    process.execPath,
    ['--import', tsxLoader(), path.join(repoRoot(), 'tools', 'stack', 'supervisor.ts')],
    {
      cwd: repoRoot(),
      env: { ...process.env, FINDASH_STACK_DIR: paths.dir },
      detached: true,
      stdio: ['ignore', fd, fd],
    },
  );
  closeSync(fd);
  child.unref();
  const supervisor = { exited: false };
  child.once('exit', () => (supervisor.exited = true));
  console.log(`Starting the stack (supervisor pid ${String(child.pid)}, log ${rel(supervisorLog)})...`);

  let shown = 0;
  for (;;) {
    await sleep(250);
    // Progress: echo the supervisor's log as it goes.
    const text = existsSync(supervisorLog) ? readFileSync(supervisorLog, 'utf8') : '';
    const lines = text.split('\n');
    for (const line of lines.slice(shown, lines.length - 1)) console.log(`  ${line.replace(/^\S+Z /, '')}`);
    shown = Math.max(shown, lines.length - 1);
    const state = readState(paths.stateFile);
    if (state?.phase === 'ready' && state.supervisorPid === child.pid) {
      console.log(`\nThe findash stack is up (${((Date.now() - started) / 1000).toFixed(1)} s).\n`);
      console.log(describeStack(state, paths));
      console.log('\n  Stop it with: npm run stack:down');
      return 0;
    }
    if (supervisor.exited || state?.phase === 'failed' || state?.phase === 'stopped') {
      // Let the supervisor finish its cleanup before reporting.
      const deadline = Date.now() + 60_000;
      while (!supervisor.exited && Date.now() < deadline) await sleep(200);
      console.error(`\nThe stack failed to start: ${state?.error ?? 'the supervisor exited'}`);
      console.error(`Last lines of ${rel(supervisorLog)}:\n${tail(supervisorLog, 30)}`);
      return 1;
    }
    if (Date.now() - started > UP_TIMEOUT_MS) {
      console.error(`\nThe stack did not come up within ${UP_TIMEOUT_MS / 1000} s; stopping it.`);
      await down(paths, { quiet: true });
      return 1;
    }
  }
}
