import { Command } from 'commander';

import { registerMigrateCommand } from './cli/migrate-command.js';
import { registerSeedCommand } from './cli/seed-command.js';
import { registerTenantCommand } from './cli/tenant-command.js';
import { registerTokenCommand } from './cli/token-command.js';
import { DomainError } from './domain/errors.js';

/** `findash` — the command line over the same domain services the API uses. */
const program = new Command()
  .name('findash')
  .description('findash command line: migrations, sample data, tenants and API tokens')
  .showHelpAfterError();

registerMigrateCommand(program);
registerSeedCommand(program);
registerTenantCommand(program);
registerTokenCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(
    `findash: ${error instanceof DomainError || error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
