import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import amqp from 'amqplib';

import { freePort } from './ports.js';

const run = promisify(execFile);
const RABBIT_BIN = '/usr/lib/rabbitmq/bin';

/**
 * A private RabbitMQ node (Debian's rabbitmq-server) for one test file: its own node name,
 * AMQP/distribution/epmd ports, data and log directories and Erlang cookie (HOME), so it never
 * touches a system broker and several can run at once. Booting takes 4–20 s on this machine
 * (startupMs says how long), so a test file shares one node across its tests.
 *
 * stop() halts the broker but keeps its data (durable queues and persistent messages survive a
 * restart()); close() is the final teardown (broker, epmd, directories).
 */
export interface RabbitMQServer {
  readonly url: string;
  readonly nodeName: string;
  /** How long the last start took, in ms. */
  readonly startupMs: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startRabbitMQ(): Promise<RabbitMQServer> {
  const amqpPort = await freePort();
  const distPort = await freePort();
  const epmdPort = await freePort();
  const nodeName = `findash-test-${amqpPort}@localhost`;
  const base = await mkdtemp(path.join(os.tmpdir(), 'findash-rabbitmq-'));
  await writeFile(
    path.join(base, 'rabbitmq.conf'),
    [
      'loopback_users = none',
      `listeners.tcp.1 = 127.0.0.1:${amqpPort}`,
      // Tests publish bursts; keep the memory alarm from blocking publishers on a busy box.
      'vm_memory_high_watermark.relative = 0.8',
      'disk_free_limit.absolute = 10MB',
      '',
    ].join('\n'),
  );
  await writeFile(path.join(base, 'enabled_plugins'), '[].\n');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: base,
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: path.join(base, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(base, 'log'),
    RABBITMQ_CONFIG_FILE: path.join(base, 'rabbitmq'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(base, 'enabled_plugins'),
    RABBITMQ_PID_FILE: path.join(base, 'rabbitmq.pid'),
  };
  const url = `amqp://guest:guest@127.0.0.1:${amqpPort}`;
  let child: ChildProcess | null = null;
  let startupMs = 0;
  let output = '';

  async function ctl(...args: string[]): Promise<void> {
    await run(path.join(RABBIT_BIN, 'rabbitmqctl'), ['-n', nodeName, ...args], { env, timeout: 60_000 });
  }

  async function launch(): Promise<void> {
    const started = performance.now();
    output = '';
    // The Debian wrapper (/usr/sbin) switches to the rabbitmq user and its shared cookie; the
    // script it wraps runs the node as we are, with our environment.
    const proc = spawn(path.join(RABBIT_BIN, 'rabbitmq-server'), [], {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    child = proc;
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`rabbitmq-server exited with ${proc.exitCode}:\n${output}`);
      try {
        const connection = await amqp.connect(url);
        await connection.close();
        break;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`RabbitMQ did not accept AMQP connections within 180 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    startupMs = Math.round(performance.now() - started);
  }

  async function halt(): Promise<void> {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    try {
      await ctl('stop');
    } catch {
      // The CLI could not reach the node; end its process group instead.
      killGroup(proc, 'SIGTERM');
    }
    const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  await launch();
  return {
    url,
    nodeName,
    get startupMs() {
      return startupMs;
    },
    stop: halt,
    restart: async () => {
      await halt();
      await launch();
    },
    close: async () => {
      await halt();
      // epmd was started by the node on our private port; it outlives the node otherwise.
      await run('epmd', ['-kill'], { env }).catch(() => undefined);
      await rm(base, { recursive: true, force: true });
    },
  };
}

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (proc.pid) process.kill(-proc.pid, signal);
  } catch {
    proc.kill(signal);
  }
}
