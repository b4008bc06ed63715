import type { Command } from 'commander';

import { grantAppRoleLogin } from '../db/app-role-login.js';
import { migrateLatest, migrateRollbackAll, migrationStatus } from '../db/migrate.js';
import { withOwnerDatabase } from './database.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      'apply pending migrations (as the schema owner: DATABASE_OWNER_URL or DATABASE_URL); when DATABASE_URL ' +
        "names the API's role, give that role its login password",
    )
    .option('--status', 'list applied and pending migrations, change nothing')
    .option('--rollback-all', 'revert every migration (drops all data)')
    .action(async (options: { status?: boolean; rollbackAll?: boolean }) => {
      await withOwnerDatabase(async (knex) => {
        if (options.status) {
          const { completed, pending } = await migrationStatus(knex);
          for (const name of completed) console.log(`applied  ${name}`);
          for (const name of pending) console.log(`pending  ${name}`);
          return;
        }
        const names = options.rollbackAll ? await migrateRollbackAll(knex) : await migrateLatest(knex);
        const verb = options.rollbackAll ? 'reverted' : 'applied';
        console.log(names.length === 0 ? 'nothing to do' : names.map((n) => `${verb} ${n}`).join('\n'));
        if (!options.rollbackAll && process.env.DATABASE_OWNER_URL) {
          const role = await grantAppRoleLogin(knex, process.env.DATABASE_URL);
          if (role) console.log(`role ${role} can log in with DATABASE_URL's password`);
        }
      });
    });
}
