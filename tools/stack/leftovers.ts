import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { processRuns, type StackState, type TrackedProcess } from './state.js';

/** Is this recorded process still the one we started (not a recycled pid)? */
export function alive(p: TrackedProcess): boolean {
  return processRuns(p.pid, p.argv0);
}

export function supervisorAlive(state: StackState): boolean {
  const supervisor = state.processes.find((p) => p.name === 'supervisor');
  if (supervisor) return alive(supervisor);
  try {
    process.kill(state.supervisorPid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Processes still in the supervisor's process group (it was started with setsid, so the group
 * holds exactly what it started without a group of their own: nginx's workers, memcached,
 * postgres...). Found by scanning /proc, so even processes it never recorded are caught.
 */
function supervisorGroup(state: StackState): TrackedProcess[] {
  const found: TrackedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== state.supervisorPid || fields[0] === 'Z') continue;
      const argv0 = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] ?? '';
      found.push({
        name: `${path.basename(argv0.split(' ')[0] ?? '?')} (supervisor group)`,
        pid: Number(entry),
        group: false,
        argv0,
      });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/**
 * Kills whatever the state still lists as running, and whatever is left in the supervisor's group
 * (after the supervisor is gone or unresponsive); returns what it had to kill.
 */
export async function killLeftovers(state: StackState): Promise<TrackedProcess[]> {
  const recorded = state.processes.filter(alive);
  const left = [...recorded, ...supervisorGroup(state).filter((g) => !recorded.some((p) => p.pid === g.pid))];
  for (const p of left) {
    try {
      process.kill(p.group ? -p.pid : p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const deadline = Date.now() + 10_000;
  while (left.some(alive) && Date.now() < deadline) await sleep(100);
  return left;
}
