import { readdir, readFile } from 'node:fs/promises';

/**
 * CPU time spent by this process and by a PostgreSQL server (postmaster + backends, from
 * /proc), so the benchmark can state CPU milliseconds per request: unlike latency, that barely
 * changes when other work shares the machine, and it bounds what a quiet machine achieves.
 */
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

async function statOf(pid: number): Promise<{ ppid: number; ticks: number; childTicks: number } | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at ") ".
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      childTicks: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return null;
  }
}

/** CPU ms of the postmaster, its live children, and its children that have exited. */
export async function postgresCpuMs(postmasterPid: number): Promise<number> {
  const root = await statOf(postmasterPid);
  if (!root) return NaN;
  let ticks = root.ticks + root.childTicks;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await statOf(Number(entry));
    if (stat?.ppid === postmasterPid) ticks += stat.ticks;
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

export function processCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Busy and total CPU ticks of the whole machine so far (/proc/stat's first line). */
async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/**
 * Waits (up to `maxWaitMs`) until the machine is quiet: less than `busyBelow` of all its CPUs
 * in use over one second, so that a comparison does not start while PostgreSQL still vacuums
 * or checkpoints after an earlier scenario. Returns the last second's busy fraction.
 */
export async function settleMachine(busyBelow = 0.1, maxWaitMs = 60_000): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const before = await machineTicks();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await machineTicks();
    const busy = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    if (busy < busyBelow || Date.now() >= deadline) return busy;
  }
}
