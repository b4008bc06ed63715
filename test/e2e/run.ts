/**
 * `npm run e2e`: the whole system on this machine, end to end.
 *
 * 1. `stack:up` (its own state directory, .findash/e2e-stack, so a developer's stack is never touched)
 * 2. the tenant lifecycle (kubectl → operator → token → HTTPS writes → dashboards → audit → suspend → delete)
 * 3. ci/validate-deployment.sh against the load balancer (the seed's Deployment Validation Checklist)
 * 4. faults: an API instance killed under load, Memcached stopped, RabbitMQ restarted, the operator restarted
 * 5. monitoring/check-alerts.sh against the stack's Prometheus; every dashboard query and alert rule selects
 *    series there after all that traffic (monitoring-series.ts); no process died on its own
 * 6. `stack:down`, and proof that nothing it started is still running
 *
 * Prints each step and a PASS/FAIL line per check, ends with "N passed, N failed", exits 1 on
 * any failure. Everything started is stopped on every path out (failure, Ctrl-C, SIGTERM, the
 * E2E_TIMEOUT_SECONDS watchdog, default 900). A stack left by a run that was SIGKILLed is stopped first.
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';

import { repoRoot } from '../harness/repo-root.js';
import { stackPaths } from '../../tools/stack/paths.js';
import { processRuns, readState } from '../../tools/stack/state.js';
import { killInstanceUnderLoad, memcachedOutage, operatorRestart, rabbitRestart } from './faults.js';
import { monitoringSeries } from './monitoring-series.js';
import { Report } from './report.js';
import { runStackCli, StackHandle } from './stack-handle.js';
import { tenantLifecycle } from './tenant-lifecycle.js';

const paths = stackPaths(process.env.E2E_STACK_DIR ?? path.join(repoRoot(), '.findash', 'e2e-stack'));
const report = new Report();
/** The whole run is bounded: a hung step fails the run (and still stops the stack) instead of hanging CI. */
const TIMEOUT_SECONDS = Number(process.env.E2E_TIMEOUT_SECONDS ?? 900);

/** Runs ci/validate-deployment.sh; every PASS/FAIL line it prints becomes a check here. */
function validateDeployment(stack: StackHandle): Promise<void> {
  const env = {
    ...process.env,
    FINDASH_STACK_DIR: paths.dir,
    VALIDATE_TOKEN: stack.state.demo.token,
    VALIDATE_CACERT: stack.state.loadBalancer.caFile,
    PROMETHEUS_URL: stack.state.prometheusUrl ?? '',
    VALIDATE_ROLLBACK_CMD: 'npm run --silent stack:rollback',
    VALIDATE_ROLLFORWARD_CMD: 'npm run --silent stack:rollback -- --forward',
    VALIDATE_LOGS_CMD: 'npm run --silent stack:logs -- --lines 400',
  };
  return new Promise((resolve) => {
    const child = spawn(
      'bash',
      [path.join(repoRoot(), 'ci', 'validate-deployment.sh'), stack.state.loadBalancer.url],
      {
        cwd: repoRoot(),
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let buffer = '';
    let checks = 0;
    const onLine = (line: string) => {
      const match = /^(PASS|FAIL) (.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined) {
        checks += 1;
        const [name, ...rest] = match[2].split(': ');
        report.check(`checklist: ${name ?? ''}`, match[1] === 'PASS', rest.join(': '));
      } else if (line.trim()) {
        report.info(line);
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) report.info(`(stderr) ${line}`);
    });
    child.on('exit', (code) => {
      if (buffer) onLine(buffer);
      report.check(
        'ci/validate-deployment.sh exit status',
        code === 0 && checks > 0,
        `exit ${String(code)} after ${checks} checks`,
      );
      resolve();
    });
  });
}

/** monitoring/check-alerts.sh: exit 0 when nothing critical fires; its last line is the figure. */
function checkAlerts(prometheusUrl: string): Promise<[boolean, string]> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [path.join(repoRoot(), 'monitoring', 'check-alerts.sh'), prometheusUrl],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        const lines = `${stdout}${stderr}`.trim().split('\n');
        resolve([!error, lines.slice(-3).join(' | ')]);
      },
    );
  });
}

let tearingDown: Promise<void> | undefined;
function teardown(): Promise<void> {
  tearingDown ??= (async () => {
    console.log(`\n==> stack:down  [t+${report.elapsed()}]`);
    const before = readState(paths.stateFile);
    const { code, output } = await runStackCli(paths, ['down']);
    const left = (before?.processes ?? []).filter((p) => processRuns(p.pid, p.argv0));
    const last = output.trim().split('\n').pop() ?? '';
    report.check(
      'stack:down leaves nothing running',
      code === 0 && left.length === 0,
      left.length === 0
        ? last.trim()
        : `still running: ${left.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`,
    );
  })();
  return tearingDown;
}

async function main(): Promise<number> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping the stack before exiting...`);
      report.aborted = true;
      void teardown().then(() => {
        console.log(report.summary());
        process.exit(130);
      });
    });
  }
  const watchdog = setTimeout(() => {
    report.check('e2e run', false, `did not finish within ${TIMEOUT_SECONDS} s (E2E_TIMEOUT_SECONDS)`);
    report.aborted = true;
    void teardown().then(() => {
      console.log(report.summary());
      process.exit(1);
    });
  }, TIMEOUT_SECONDS * 1000);
  watchdog.unref();
  let stack: StackHandle | undefined;
  try {
    if (readState(paths.stateFile)) {
      // A run that was killed outright left its stack: start from a fresh one, never reuse its data.
      report.step('stopping the stack a previous run left behind');
      await runStackCli(paths, ['down']);
    }
    report.step(`stack:up (state in ${path.relative(repoRoot(), paths.dir)})`);
    const started = Date.now();
    const up = await runStackCli(paths, ['up']);
    const upOk = report.check(
      'stack:up',
      up.code === 0,
      up.code === 0 ? `ready in ${((Date.now() - started) / 1000).toFixed(1)} s` : `exit ${up.code}`,
    );
    if (!upOk) return 1;
    stack = StackHandle.load(paths.dir);
    const demo = stack.state.demo;
    report.check(
      'stack:up printed a working bearer token',
      demo.check.startsWith('200'),
      `Tenant ${demo.tenant} client ${demo.client}: GET /financial/dashboard/summary through nginx -> ${demo.check.slice(0, 160)}`,
    );

    await tenantLifecycle(report, stack);

    report.step('ci/validate-deployment.sh (the Deployment Validation Checklist) through the load balancer');
    await validateDeployment(stack);

    await killInstanceUnderLoad(report, stack);
    await memcachedOutage(report, stack);
    await rabbitRestart(report, stack);
    await operatorRestart(report, stack);

    report.step("alerts: monitoring/check-alerts.sh against the stack's Prometheus");
    await report.run('no critical alert firing', () => checkAlerts(stack!.state.prometheusUrl ?? ''));
    await monitoringSeries(report, stack.state.prometheusUrl ?? '');

    report.step('no process of the stack died on its own');
    await report.run('no unexpected exits (API instances, operator)', async () => {
      const state = await stack!.status();
      const crashes = [
        ...(state.api ?? []).flatMap((a) => a.crashes.map((c) => `${a.name} ${c}`)),
        ...(state.operator?.crashes ?? []).map((c) => `operator ${c}`),
      ];
      return [
        crashes.length === 0,
        crashes.length === 0
          ? 'only the exits the faults caused (each instance and the operator were restarted automatically otherwise)'
          : `restarted automatically after: ${crashes.join('; ')}`,
      ];
    });
  } catch (error) {
    report.check('e2e run', false, error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    stack?.close();
    await teardown();
  }
  console.log(report.summary());
  return report.failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
