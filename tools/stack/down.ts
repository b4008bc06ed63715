import { rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { callControl } from './control.js';
import { rel } from './describe.js';
import { alive, killLeftovers, supervisorAlive } from './leftovers.js';
import type { StackPaths } from './paths.js';
import { readState } from './state.js';

/**
 * `stack:down`: asks the supervisor to stop everything (SIGTERM when its control API does not
 * answer), then kills and checks whatever is still running; 1 when something could not be stopped.
 */
export async function down(paths: StackPaths, options: { quiet?: boolean } = {}): Promise<number> {
  const state = readState(paths.stateFile);
  if (!state) {
    if (!options.quiet) console.log('The stack is not running.');
    return 0;
  }
  const started = Date.now();
  if (supervisorAlive(state)) {
    if (!options.quiet) console.log(`Stopping the stack (supervisor pid ${state.supervisorPid})...`);
    try {
      if (!state.control) throw new Error('no control API yet');
      await callControl(state.control, 'shutdown', {}, 10_000);
    } catch {
      try {
        process.kill(state.supervisorPid, 'SIGTERM');
      } catch {
        // gone
      }
    }
    const deadline = Date.now() + 120_000;
    while (supervisorAlive(state) && Date.now() < deadline) await sleep(200);
  }
  // The supervisor stops everything itself; anything still listed now is killed here.
  const last = readState(paths.stateFile) ?? state;
  const tracked = [...new Map([...state.processes, ...last.processes].map((p) => [p.pid, p])).values()];
  const left = await killLeftovers({ ...last, processes: tracked });
  const still = tracked.filter(alive);
  for (const file of [paths.stateFile, 'ca.crt', 'demo-token', 'kubeconfig']) {
    rmSync(path.resolve(paths.dir, file), { force: true });
  }
  rmSync(paths.data, { recursive: true, force: true });
  if (still.length > 0) {
    console.error(`Could not stop: ${still.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`);
    return 1;
  }
  if (!options.quiet) {
    console.log(
      `The stack is stopped (${((Date.now() - started) / 1000).toFixed(1)} s): ${tracked.length} processes checked, none left running` +
        (left.length > 0 ? ` (${left.length} had to be killed: ${left.map((p) => p.name).join(', ')})` : '') +
        `. Logs kept in ${rel(paths.logs)}/.`,
    );
  }
  return 0;
}
