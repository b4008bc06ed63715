/**
 * `npm run operator:bench`: how fast the operator turns Tenants into ready tenants, on a real
 * kube-apiserver + etcd and PostgreSQL 17 started for the run (no cluster needed). Prints:
 *  - apply → Ready for one Tenant (several samples),
 *  - 200 Tenants applied at once: time until all are Ready, and per-Tenant latency percentiles,
 *  - 500 Tenants at once (BENCH_LARGE=0 skips it),
 *  - a resync of every Tenant: how long, and how many writes it made (should be none).
 * Targets: one Tenant Ready within 2 s; 200 in under 30 s; 500 in under 60 s.
 * Knobs: OPERATOR_CONCURRENCY (default 4), BENCH_CLIENTS (API clients per Tenant, default 2).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';

import { loadConfig, repoRoot, type OperatorConfig } from './config.js';
import { TENANTS_PATH, type Tenant } from './crd/types.js';
import { Watcher } from './controller/watcher.js';
import { KubeClient } from './kube/client.js';
import { silentLogger } from './log.js';
import { startOperator } from './operator.js';

// The control plane and database helpers live with the tests; they are loaded at run time so
// the production build (which compiles operator/) does not pull the test harness in.
interface ControlPlaneLike {
  server: string;
  kubeconfigPath: string;
  processes: Array<{ name: string; pid: number }>;
  stop(): Promise<void>;
}
interface KubeHarness {
  startControlPlane(options?: { withControllerManager?: boolean }): Promise<ControlPlaneLike>;
}
interface PgHarness {
  startTestCluster(): Promise<{ server: { stop(): Promise<void> } }>;
  createTestDatabase(): Promise<{ ownerUrl: string; drop(): Promise<void> }>;
}

function harness<T>(file: string): Promise<T> {
  const url = pathToFileURL(path.join(repoRoot, 'test', 'harness', file)).href;
  return import(url) as Promise<T>;
}

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2);

function tenant(name: string) {
  return {
    apiVersion: 'findash.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name },
    spec: {
      type: 'organization',
      displayName: `Bench ${name}`,
      baseCurrency: 'USD',
      owners: [{ kind: 'User', name: `owner@${name}.example` }],
      members: [{ kind: 'User', name: `member@${name}.example`, role: 'viewer' }],
      apiClients: Array.from({ length: CLIENTS }, (_, i) => ({ name: `client-${i}`, role: 'viewer' })),
    },
  };
}

/** CPU seconds used so far by the API server, etcd, PostgreSQL and this process (Linux /proc). */
function cpuSnapshot(cp: ControlPlaneLike): Map<string, number> {
  const ticks = 100;
  const read = (pid: number | string): number => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / ticks;
    } catch {
      return 0;
    }
  };
  const out = new Map<string, number>();
  for (const p of cp.processes) out.set(p.name, read(p.pid));
  // Only this run's PostgreSQL (its postmaster was started with .findash/test-pg-<our pid>) and
  // its backends: other PostgreSQL servers on the machine are not ours to count.
  let pgCpu = 0;
  const procs: Array<{ pid: string; ppid: string; cmd: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '';
      procs.push({ pid: entry, ppid, cmd: readFileSync(`/proc/${entry}/cmdline`, 'utf8') });
    } catch {
      // gone
    }
  }
  const postmaster = procs.find(
    (p) => p.cmd.includes(`test-pg-${process.pid}`) && p.cmd.includes('postgres'),
  );
  if (postmaster) {
    for (const p of procs) if (p.pid === postmaster.pid || p.ppid === postmaster.pid) pgCpu += read(p.pid);
  }
  out.set('postgres', pgCpu);
  const u = process.cpuUsage();
  out.set('operator+bench (node)', (u.user + u.system) / 1e6);
  return out;
}

function cpuDelta(before: Map<string, number>, after: Map<string, number>): string {
  return [...after].map(([k, v]) => `${k} ${(v - (before.get(k) ?? 0)).toFixed(1)}`).join(', ');
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

async function main(): Promise<void> {
  const kubeHarness = await harness<KubeHarness>('kube.ts');
  const pgHarness = await harness<PgHarness>('postgres.ts');
  process.stdout.write('starting kube-apiserver + etcd and PostgreSQL 17 …\n');
  const [cp, pg] = await Promise.all([kubeHarness.startControlPlane(), pgHarness.startTestCluster()]);
  const db = await pgHarness.createTestDatabase();
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const kube = await KubeClient.create(kc);

  const crdPath = path.join(repoRoot, 'charts', 'findash', 'crds', 'findash.io_tenants.yaml');
  await kube.apply(
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/tenants.findash.io',
    parseYaml(readFileSync(crdPath, 'utf8')),
    'bench',
  );
  for (let i = 0; ; i++) {
    try {
      await kube.get(TENANTS_PATH);
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const env = {
    ...process.env,
    DATABASE_URL: db.ownerUrl,
    DATABASE_OWNER_URL: db.ownerUrl,
    KUBECONFIG: cp.kubeconfigPath,
  };
  const config: OperatorConfig = { ...loadConfig(env), port: 0, host: '127.0.0.1', leaderElection: false };
  const op = await startOperator(config, { logger: silentLogger, defaultMetrics: false });

  // Observe readiness through a watch of our own, so the clock stops the moment status lands.
  const appliedAt = new Map<string, number>();
  const readyAt = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const observer = new Watcher<Tenant>({
    client: kube,
    path: TENANTS_PATH,
    resource: 'bench',
    timeoutSeconds: 300,
    idleTimeoutMs: 600_000,
    logger: silentLogger,
    onEvent: (_type, t) => {
      const name = t.metadata.name ?? '';
      const ready = t.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      if (ready && t.status?.observedGeneration === t.metadata.generation && !readyAt.has(name)) {
        readyAt.set(name, performance.now());
        waiters.get(name)?.();
      }
    },
  });
  observer.start();
  while (!observer.synced) await new Promise((r) => setTimeout(r, 20));

  const applyAll = async (names: string[]): Promise<number> => {
    const done = Promise.all(names.map((n) => new Promise<void>((resolve) => waiters.set(n, resolve))));
    const start = performance.now();
    await Promise.all(
      names.map(async (n) => {
        appliedAt.set(n, performance.now());
        await kube.apply(`${TENANTS_PATH}/${n}`, tenant(n), 'bench');
      }),
    );
    await done;
    return performance.now() - start;
  };
  const latencies = (names: string[]) =>
    names.map((n) => (readyAt.get(n) ?? NaN) - (appliedAt.get(n) ?? NaN)).sort((a, b) => a - b);

  const rows: Array<[string, string, string]> = [];
  const cpu: string[] = [];
  try {
    // Warm-up (first connections, query plans), not reported.
    await applyAll(['warmup-0']);

    const singles: number[] = [];
    for (let i = 0; i < 5; i++) singles.push(await applyAll([`single-${i}`]));
    singles.sort((a, b) => a - b);
    rows.push([
      '1 Tenant: apply → Ready',
      `median ${fmt(percentile(singles, 50))}, max ${fmt(singles[singles.length - 1] ?? NaN)} (5 runs)`,
      percentile(singles, 100) < 2000 ? 'target < 2 s: met' : 'target < 2 s: MISSED',
    ]);

    const batches = process.env.BENCH_LARGE === '0' ? [200] : [200, 500];
    for (const size of batches) {
      const names = Array.from({ length: size }, (_, i) => `batch${size}-${i}`);
      const cpuBefore = cpuSnapshot(cp);
      const total = await applyAll(names);
      cpu.push(`${size} Tenants: ${cpuDelta(cpuBefore, cpuSnapshot(cp))}`);
      const lat = latencies(names);
      const target = size <= 200 ? 30_000 : 60_000;
      rows.push([
        `${size} Tenants at once: all Ready`,
        `${fmt(total)} (${(size / (total / 1000)).toFixed(0)} Tenants/s); per Tenant p50 ${fmt(percentile(lat, 50))}, p95 ${fmt(percentile(lat, 95))}, max ${fmt(percentile(lat, 100))}`,
        total < target ? `target < ${target / 1000} s: met` : `target < ${target / 1000} s: MISSED`,
      ]);
    }

    // A resync of everything: reads only.
    const controller = op.controller();
    if (controller) {
      await controller.queue.whenIdle();
      const writes = () =>
        ['POST', 'PUT', 'PATCH', 'DELETE'].reduce((n, v) => n + (op.client.counts[v] ?? 0), 0);
      let dbWrites = 0;
      op.db.on('query', (q: { sql: string }) => {
        if (/^\s*(insert|update|delete)\b/i.test(q.sql)) dbWrites++;
      });
      const before = writes();
      const all = [...controller.tenants.store.keys()];
      const start = performance.now();
      for (const n of all) controller.queue.add(n);
      await controller.queue.whenIdle();
      rows.push([
        `resync of ${all.length} converged Tenants`,
        `${fmt(performance.now() - start)}; ${writes() - before} Kubernetes writes, ${dbWrites} database writes`,
        writes() - before === 0 && dbWrites === 0 ? 'no-op: met' : 'no-op: MISSED',
      ]);
    }
  } finally {
    await observer.stop();
    await op.stop();
    kube.close();
    await cp.stop();
    await db.drop();
    await pg.server.stop();
  }

  const list = rows;
  process.stdout.write(
    `\nfindash operator benchmark (concurrency ${config.concurrency}, ${CLIENTS} API clients + 1 member per Tenant)\n`,
  );
  const w0 = Math.max(...list.map((r) => r[0].length));
  const w1 = Math.max(...list.map((r) => r[1].length));
  for (const [a, b, c] of list) process.stdout.write(`  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}\n`);
  process.stdout.write(`CPU seconds spent (2 cores shared by everything):\n`);
  for (const line of cpu) process.stdout.write(`  ${line}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(
        `benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
