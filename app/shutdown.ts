import { trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';

export interface ShutdownOptions {
  /**
   * Everything must be done within this time (SHUTDOWN_GRACE_MS); past it the function returns
   * 'timeout' and the caller exits anyway. Keep it below the pod's terminationGracePeriodSeconds.
   */
  readonly graceMs: number;
  /**
   * Keep serving this long after readiness turns 503 before closing the listener
   * (SHUTDOWN_DRAIN_MS), so load balancers stop routing here before connections are refused.
   */
  readonly drainMs?: number;
}

/**
 * The SIGTERM sequence, in order:
 *  1. readiness fails (/health/ready → 503) so no new traffic is routed here;
 *  2. after drainMs, stop accepting connections and wait for in-flight requests
 *     (fastify.close(); idle keep-alive connections are closed, busy ones answer
 *     with `Connection: close`);
 *  3. the plugins' onClose hooks, in reverse order of registration: the dashboard-view audit
 *     buffer is flushed to PostgreSQL, the outbox publisher stops after its current batch,
 *     Sentry delivers queued events, the cache and the database pool close;
 *  4. buffered spans are exported.
 * Returns 'clean', or 'timeout' when graceMs ran out first.
 */
export async function gracefulShutdown(
  fastify: FastifyInstance,
  options: ShutdownOptions,
): Promise<'clean' | 'timeout'> {
  const deadline = Date.now() + options.graceMs;
  fastify.shuttingDown = true;
  const drainMs = Math.min(options.drainMs ?? 0, options.graceMs / 2);
  if (drainMs > 0) await sleep(drainMs);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    fastify.close().then(() => 'clean' as const),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
    }),
  ]);
  clearTimeout(timer);
  if (outcome === 'timeout')
    fastify.log.error({ grace_ms: options.graceMs }, 'shutdown did not finish in time');
  await flushTraces(Math.max(500, deadline - Date.now()));
  return outcome;
}

/** Exports buffered spans through the API, whichever SDK (if any) app/telemetry.ts installed. */
async function flushTraces(ms: number): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
  const flush = provider.getDelegate?.().forceFlush?.();
  if (!flush) return;
  await Promise.race([flush.catch(() => undefined), sleep(ms)]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
