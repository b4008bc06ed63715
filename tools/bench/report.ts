import os from 'node:os';

import type { BenchTenant } from './bench-database.js';
import { formatCachedComparison, type CachedComparison } from './cached.scenario.js';
import type { AbResult, LoadResult } from './load.js';
import type { Timing } from './queries.js';
import { DASHBOARD, type Scenario } from './scenarios.js';
import { fmt } from './stats.js';

/** One HTTP scenario's result: autocannon's or ab's, and CPU milliseconds per request (node, PostgreSQL). */
export interface ScenarioRow {
  scenario: Scenario;
  load?: LoadResult;
  ab?: AbResult;
  cpu?: { node: number; pg: number };
}

export interface BenchReport {
  readonly tenant: BenchTenant;
  readonly seconds: number;
  readonly loadBefore: number;
  readonly queries: Record<string, Timing>;
  readonly rows: readonly ScenarioRow[];
  readonly cachedComparison: CachedComparison;
}

/** The printed report: the query timings, the HTTP scenarios, and each number against its target. */
export function formatReport({
  tenant,
  seconds,
  loadBefore,
  queries,
  rows,
  cachedComparison,
}: BenchReport): string {
  const out: string[] = [];
  out.push('');
  out.push(
    `findash dashboard benchmark — tenant ${tenant.name}: ${tenant.transactions.toLocaleString('en')} transactions` +
      (tenant.seededNow ? ` (seeded now in ${fmt(tenant.seedSeconds ?? NaN, 1)} s)` : ' (reused)'),
  );
  out.push(`node ${process.version}, ${seconds} s per autocannon run, load generators in separate processes`);
  // Other work on the machine skews every number: say how busy it was.
  out.push(
    `machine: ${os.cpus().length} CPUs, 1-minute load average ${fmt(loadBefore)} at start, ${fmt(os.loadavg()[0] ?? NaN)} at end`,
  );
  out.push('');
  out.push('query (no HTTP)                                   p50 ms    p99 ms    min ms');
  for (const [name, t] of Object.entries(queries)) {
    out.push(
      `${name.padEnd(48)} ${fmt(t.p50).padStart(8)}  ${fmt(t.p99).padStart(8)}  ${fmt(t.min).padStart(8)}`,
    );
  }
  out.push('');
  out.push(
    'HTTP scenario                                 conns      req/s    p50 ms    p99 ms   mean ms  non-2xx   CPU ms/request (node + PostgreSQL)',
  );
  for (const { scenario, load, ab, cpu } of rows) {
    const name = `${scenario.name}${scenario.headers ? ` ${JSON.stringify(scenario.headers)}` : ''}`.padEnd(
      44,
    );
    if (load) {
      out.push(
        `${name} ${String(scenario.connections).padStart(5)} ${fmt(load.requestsPerSecond, 0).padStart(10)} ${fmt(load.p50).padStart(9)} ${fmt(load.p99).padStart(9)} ${fmt(load.mean).padStart(9)} ${String(load.non2xx + load.errors).padStart(8)}   ${cpu ? `${fmt(cpu.node)} + ${fmt(cpu.pg)}` : ''}`,
      );
    } else if (ab) {
      out.push(
        `${name} ${String(scenario.connections).padStart(5)} ${fmt(ab.requestsPerSecond, 0).padStart(10)} ${'-'.padStart(9)} ${'-'.padStart(9)} ${fmt(ab.meanMs).padStart(9)} ${String(ab.failed + ab.non2xx).padStart(8)}`,
      );
    }
  }
  const fresh = rows.find(
    (r) => r.scenario.path === DASHBOARD && r.scenario.connections === 1 && !r.scenario.env,
  )?.load;
  const ab = rows.find((r) => r.ab)?.ab;
  out.push('');
  out.push('targets (README, Benchmarks)');
  if (fresh)
    out.push(
      `  fresh dashboard p50 (1 connection): ${fmt(fresh.p50)} ms  (target < 25 ms) ${fresh.p50 < 25 ? 'OK' : 'MISSED'}`,
    );
  const freshCpu = rows.find(
    (r) => r.scenario.path === DASHBOARD && r.scenario.connections === 1 && !r.scenario.env,
  )?.cpu;
  if (freshCpu && Number.isFinite(freshCpu.pg)) {
    out.push(
      `  fresh dashboard CPU per request: ${fmt(freshCpu.node + freshCpu.pg)} ms (node ${fmt(freshCpu.node)} + PostgreSQL ${fmt(freshCpu.pg)}): ` +
        'the latency floor on an otherwise idle machine',
    );
  }
  const direct = queries['domain: full dashboard (one transaction)'];
  if (direct)
    out.push(`  fresh dashboard queries alone p50: ${fmt(direct.p50)} ms (min ${fmt(direct.min)} ms)`);
  if (ab)
    out.push(
      `  ab -n 100 -c 10 average: ${fmt(ab.meanMs)} ms per request  (must be well under 200 ms; aim < 5 ms) ${ab.meanMs < 200 ? 'OK' : 'MISSED'}`,
    );
  const naive = queries['naive: one aggregation over raw rows'];
  if (naive && direct)
    out.push(
      `  naive raw-row aggregation: ${fmt(naive.p50)} ms, ${fmt(naive.p50 / direct.p50, 0)}× the rollup dashboard`,
    );
  out.push('');
  out.push(...formatCachedComparison(cachedComparison));
  return out.join('\n');
}
