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
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { callControl } from './control.js';
import { describeStack, tail } from './describe.js';
import { down } from './down.js';
import { alive, supervisorAlive } from './leftovers.js';
import { stackPaths, type StackPaths } from './paths.js';
import { readState, type StackState } from './state.js';
import { up } from './up.js';

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
