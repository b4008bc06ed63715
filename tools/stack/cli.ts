/**
 * The whole system on this machine, from real processes on loopback.
 *
 *   npm run stack:up                     start it (or report the running one); prints URLs, a token, the kubeconfig
 *   npm run stack:status                 what runs where; exit 0 when ready
 *   npm run stack:rollback [-- --forward] restart the API instances one at a time on the previous (or current) build
 *   npm run stack:logs [-- --lines N]    the last lines of every API instance's log
 *   npm run stack:down                   stop all of it and prove nothing is left running
 *
 * FINDASH_STACK_DIR chooses the state directory (default .findash/stack). See tools/stack/README.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { repoRoot } from '../../test/harness/repo-root.js';
import { tsxLoader } from './child-process.js';
import { callControl } from './control.js';
import { stackPaths, type StackPaths } from './paths.js';
import { processRuns, readState, type StackState, type TrackedProcess } from './state.js';

const UP_TIMEOUT_MS = 10 * 60_000;

function alive(p: TrackedProcess): boolean {
  return processRuns(p.pid, p.argv0);
}

function supervisorAlive(state: StackState): boolean {
  const supervisor = state.processes.find((p) => p.name === 'supervisor');
  if (supervisor) return alive(supervisor);
  try {
    process.kill(state.supervisorPid, 0);
    return true;
  } catch {
    return false;
  }
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r.startsWith('..') ? file : r;
}

export function describeStack(state: StackState, paths: StackPaths): string {
  const lb = state.loadBalancer;
  const lines = [
    `  Load balancer   ${lb?.url ?? '-'}  (nginx, TLS; CA certificate ${lb ? rel(lb.caFile) : '-'})`,
    ...(state.api ?? []).map(
      (a) =>
        `  API ${a.name.padEnd(11)} ${a.url}  (${a.up ? `pid ${String(a.pid)}` : 'DOWN'}, build ${a.build})`,
    ),
    `  Operator        ${state.operator?.url ?? '-'}  (/metrics /healthz /readyz; ${state.operator?.up ? `pid ${String(state.operator.pid)}` : 'DOWN'})`,
    `  Prometheus      ${state.prometheusUrl ?? '-'}`,
    `  RabbitMQ        ${state.rabbitmq?.amqpUrl ?? '-'}${state.rabbitmq?.managementUrl ? `  (management ${state.rabbitmq.managementUrl})` : ''}`,
    `  Memcached       ${state.memcached?.servers ?? '-'}${state.memcached && !state.memcached.up ? ' (STOPPED)' : ''}`,
    `  PostgreSQL 17   ${state.postgres?.ownerUrl ?? '-'}  (schema owner; the API connects as findash_app)`,
    `  Kubernetes      ${state.kube?.server ?? '-'}`,
    `  Logs            ${rel(paths.logs)}/`,
    '',
    `  export KUBECONFIG=${state.kube?.kubeconfig ?? path.join(paths.dir, 'kubeconfig')}`,
    '  kubectl get tenants',
  ];
  if (state.demo && lb) {
    lines.push(
      '',
      `  Bearer token (Tenant ${state.demo.tenant}, API client ${state.demo.client}, role admin; also in ${rel(state.demo.tokenFile)}):`,
      `  ${state.demo.token}`,
      '',
      `  curl --cacert ${rel(lb.caFile)} -H "Authorization: Bearer $(cat ${rel(state.demo.tokenFile)})" ${lb.url}/financial/dashboard`,
    );
    if (!state.demo.check.startsWith('200')) {
      lines.push('', `  WARNING: the API refused this token at start-up: ${state.demo.check}`);
    }
  }
  return lines.join('\n');
}

/** Kills whatever the state still lists as running (after the supervisor is gone or unresponsive). */
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

async function killLeftovers(state: StackState): Promise<TrackedProcess[]> {
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

async function up(paths: StackPaths): Promise<number> {
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

async function down(paths: StackPaths, options: { quiet?: boolean } = {}): Promise<number> {
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

function requireReady(paths: StackPaths): StackState & { control: { url: string; token: string } } {
  const state = readState(paths.stateFile);
  if (!state || !supervisorAlive(state) || !state.control) {
    throw new Error('The stack is not running (npm run stack:up starts it).');
  }
  return state as StackState & { control: { url: string; token: string } };
}

async function status(paths: StackPaths): Promise<number> {
  const state = readState(paths.stateFile);
  if (!state || !supervisorAlive(state)) {
    console.log('The stack is not running (npm run stack:up starts it).');
    return 1;
  }
  const fresh = state.control ? await callControl<StackState>(state.control, 'status') : state;
  const dead = fresh.processes.filter((p) => !alive(p));
  console.log(
    `The stack is ${fresh.phase} (supervisor pid ${fresh.supervisorPid}, since ${fresh.startedAt}).\n`,
  );
  console.log(describeStack(fresh, paths));
  if (dead.length > 0) console.log(`\nNot running: ${dead.map((p) => p.name).join(', ')}`);
  return fresh.phase === 'ready' && dead.length === 0 ? 0 : 1;
}

async function rollback(paths: StackPaths, args: string[]): Promise<number> {
  const state = requireReady(paths);
  const target = args.includes('--forward')
    ? 'current'
    : args.includes('--to')
      ? (args[args.indexOf('--to') + 1] ?? 'previous')
      : 'previous';
  const description = state.builds?.[target]?.description ?? target;
  console.log(`Rolling the API instances to the ${target} build (${description}), one at a time...`);
  const started = Date.now();
  const result = await callControl<{
    steps: Array<{ instance: string; from: string; to: string; stoppedHow: string; ms: number }>;
  }>(state.control, 'rollout', { build: target });
  for (const s of result.steps)
    console.log(`  ${s.instance}: ${s.from} -> ${s.to} (old process ${s.stoppedHow}, ${s.ms} ms)`);
  console.log(
    `All ${result.steps.length} instances on the ${target} build (${((Date.now() - started) / 1000).toFixed(1)} s).`,
  );
  return 0;
}

function logs(paths: StackPaths, args: string[]): number {
  const n = Number(args[args.indexOf('--lines') + 1]) || 200;
  const files = existsSync(paths.logs)
    ? readdirSync(paths.logs)
        .filter((f) => /^api-\d+\.log$/.test(f))
        .sort()
    : [];
  if (files.length === 0) {
    console.error(`no API logs in ${paths.logs}`);
    return 1;
  }
  for (const f of files) {
    for (const line of tail(path.join(paths.logs, f), n).split('\n'))
      console.log(`${f.replace(/\.log$/, '')} ${line}`);
  }
  return 0;
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  const paths = stackPaths();
  switch (command) {
    case 'up':
      return up(paths);
    case 'down':
      return down(paths);
    case 'status':
      return status(paths);
    case 'rollback':
      return rollback(paths, args);
    case 'logs':
      return logs(paths, args);
    default:
      console.error(
        'usage: cli.ts up | down | status | rollback [--forward | --to <build>] | logs [--lines N]',
      );
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
