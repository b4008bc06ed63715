import type { Command } from 'commander';

import { migrateLatest, migrateRollbackAll, migrationStatus } from '../db/migrate.js';
import { withOwnerDatabase } from './database.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending migrations (as the schema owner: DATABASE_OWNER_URL or DATABASE_URL)')
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
      });
    });
}
