import { readdirSync, readFileSync } from 'node:fs';

import { startMemcached } from '../../test/harness/memcached.js';
import { startRabbitMQ } from '../../test/harness/rabbitmq.js';

/**
 * Memcached and RabbitMQ for the stack, from the same harnesses the integration tests use,
 * with what the supervisor adds: restart on the same address (the API instances keep their
 * MEMCACHED_SERVERS / AMQP_URL) and the pids of what runs, for `stack:down`'s final check.
 */
export interface StackMemcached {
  readonly servers: string;
  running(): boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  pids(): number[];
}

export interface StackRabbitMQ {
  readonly amqpUrl: string;
  readonly managementUrl?: string;
  /** Stops the broker and starts it again with its data (durable queues, persistent messages). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  pids(): number[];
}

/** Pids of processes whose command line or environment matches. */
function findPids(match: (cmdline: string, environ: () => string) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (match(cmdline, () => readFileSync(`/proc/${entry}/environ`, 'utf8'))) pids.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return pids;
}

export async function startStackMemcached(): Promise<StackMemcached> {
  const server = await startMemcached();
  let running = true;
  return {
    servers: server.servers,
    running: () => running,
    stop: async () => {
      running = false;
      await server.stop();
    },
    start: async () => {
      if (running) return;
      await server.restart();
      running = true;
    },
    pids: () =>
      findPids((cmdline) => cmdline.startsWith('memcached ') && cmdline.includes(` -p ${server.port} `)),
  };
}

export async function startStackRabbitMQ(): Promise<StackRabbitMQ> {
  const broker = await startRabbitMQ();
  const marker = `RABBITMQ_NODENAME=${broker.nodeName}\0`;
  return {
    amqpUrl: broker.url,
    restart: () => broker.restart(),
    stop: () => broker.close(),
    // beam.smp, its erl_child_setup and epmd all inherit the node's environment.
    pids: () => findPids((_cmdline, environ) => environ().includes(marker)),
  };
}
