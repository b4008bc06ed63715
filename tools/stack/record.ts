import { log } from './log.js';
import { trackedProcesses, type Parts } from './parts.js';
import type { StackPaths } from './paths.js';
import { writeState, type StackState } from './state.js';

/**
 * The supervisor's one writer of state.json: each call refreshes the live parts of the state (API
 * instances, operator, Memcached, the process list) and writes a snapshot; writes are serialized, so
 * they never interleave.
 */
export function stateRecorder(paths: StackPaths, parts: Parts, state: StackState): () => Promise<void> {
  let saving: Promise<void> = Promise.resolve();
  return () => {
    if (parts.fleet) state.api = parts.fleet.state();
    if (parts.operator && state.operator) {
      state.operator = {
        ...state.operator,
        pid: parts.operator.child?.pid ?? null,
        up: parts.operator.running(),
        crashes: [...parts.operator.crashes],
      };
    }
    if (parts.memcached && state.memcached)
      state.memcached = { ...state.memcached, up: parts.memcached.running() };
    state.processes = trackedProcesses(parts, paths.data);
    const snapshot = structuredClone(state);
    saving = saving
      .then(() => writeState(paths.stateFile, snapshot))
      .catch((error: unknown) => {
        log(`could not write state: ${String(error)}`);
      });
    return saving;
  };
}
