import { loadConfig } from './config.js';
import { createLogger } from './log.js';
import { startOperator } from './operator.js';

/**
 * `npm run operator` / `node dist/operator/main.js`: runs the Tenant operator against
 * $KUBECONFIG (else .findash/kubeconfig, else in-cluster) and DATABASE_URL (else the dev
 * database recorded in .findash/database-url). SIGTERM/SIGINT drain in-flight reconciles and
 * release the leader lease so a standby replica takes over at once; losing the lease exits 1,
 * as controller-runtime does, and the Deployment restarts the pod as a fresh candidate.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, { component: 'operator', identity: config.identity });
  const operator = await startOperator(config, { logger });

  let shuttingDown = false;
  const shutdown = (signal: string, code: number): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down', { signal });
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(code || 1);
    }, 20_000);
    force.unref();
    operator.stop().then(
      () => process.exit(code),
      (err: unknown) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM', 0));
  process.once('SIGINT', () => shutdown('SIGINT', 0));
  void operator.lostLeadership.then(() => shutdown('lost leadership', 1));
}

main().catch((err: unknown) => {
  // The message says what to fix; the stack only helps when debugging the operator itself.
  const detail =
    err instanceof Error
      ? process.env.LOG_LEVEL === 'debug'
        ? (err.stack ?? err.message)
        : err.message
      : String(err);
  process.stderr.write(`findash-operator failed to start: ${detail}\n`);
  process.exit(1);
});
