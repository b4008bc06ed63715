import type { ApiFleet } from './api-fleet.js';
import { log } from './log.js';
import type { Parts } from './parts.js';
import type { StackState } from './state.js';

export type ControlAction = (body: Record<string, unknown>) => Promise<unknown>;

/**
 * What the supervisor's control API does (control.ts serves it): status, shutdown, and the faults and
 * rollout the e2e run and `stack:rollback` ask for. Each action that changes something saves the
 * state before it answers.
 */
export function controlActions(
  parts: Parts,
  state: StackState,
  save: () => Promise<void>,
  shutdown: (code: number) => Promise<never>,
): Record<string, ControlAction> {
  const fleet = (): ApiFleet => {
    if (!parts.fleet) throw new Error('the API instances are not started yet');
    return parts.fleet;
  };
  const name = (body: Record<string, unknown>): string => {
    if (typeof body.instance !== 'string') throw new Error('body.instance (api-1, api-2, ...) is required');
    return body.instance;
  };
  const after = async <T>(result: T): Promise<T> => {
    await save();
    return result;
  };
  return {
    status: async () => {
      await save();
      return state;
    },
    shutdown: async () => {
      setImmediate(() => void shutdown(0));
      return { stopping: true };
    },
    'api-kill': async (body) => after({ instance: name(body), how: await fleet().kill(name(body)) }),
    'api-stop': async (body) => after({ instance: name(body), how: await fleet().stop(name(body)) }),
    'api-start': async (body) => {
      const build = typeof body.build === 'string' ? body.build : undefined;
      const instance = await fleet().start(name(body), build);
      return after({ instance: instance.name, pid: instance.child?.pid, build: instance.build.name });
    },
    rollout: async (body) => {
      const build = typeof body.build === 'string' ? body.build : 'previous';
      const lines: string[] = [];
      const steps = await fleet().rollout(build, (line) => {
        lines.push(line);
        log(`rollout ${line}`);
      });
      return after({ build, steps });
    },
    'memcached-stop': async () => {
      if (!parts.memcached) throw new Error('memcached is not started');
      await parts.memcached.stop();
      return after({ memcached: 'stopped' });
    },
    'memcached-start': async () => {
      if (!parts.memcached) throw new Error('memcached is not started');
      await parts.memcached.start();
      return after({ memcached: 'running', servers: parts.memcached.servers });
    },
    'rabbitmq-restart': async () => {
      if (!parts.rabbitmq) throw new Error('RabbitMQ is not started');
      const started = Date.now();
      await parts.rabbitmq.restart();
      return after({ rabbitmq: 'restarted', ms: Date.now() - started });
    },
    'operator-stop': async (body) => {
      if (!parts.operator) throw new Error('the operator is not started');
      const signal = body.signal === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM';
      return after({ operator: await parts.operator.stop(signal) });
    },
    'operator-start': async () => {
      if (!parts.operator) throw new Error('the operator is not started');
      await parts.operator.start();
      return after({ operator: 'running', pid: parts.operator.child?.pid });
    },
  };
}
