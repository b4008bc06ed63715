import cliProgress from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';

import { seedDatabase } from '../domain/seed/seed.js';
import { withOwnerDatabase } from './database.js';

function count(name: string, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) > max) {
      throw new InvalidArgumentError(`${name} must be an integer from 0 to ${max}`);
    }
    return Number(value);
  };
}

/**
 * `findash seed`: sample tenants with realistic history, as the schema owner
 * (DATABASE_OWNER_URL, else DATABASE_URL, else the `npm start` embedded database).
 */
export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description(
      'load sample tenants, accounts, transactions, budgets and exchange rates (deterministic per seed)',
    )
    .option('--tenants <n>', 'how many tenants', count('--tenants', 100_000), 3)
    .option('--transactions <n>', 'transactions per tenant', count('--transactions', 100_000_000), 5000)
    .option(
      '--seed <n>',
      'random seed: the same seed on the same day gives the same data',
      count('--seed', 2 ** 31),
      42,
    )
    .option('--prefix <prefix>', 'tenant names are <prefix>-1, <prefix>-2, …', 'seed')
    .option('--batch-size <n>', 'rows per INSERT', count('--batch-size', 100_000), 10_000)
    .action(
      async (options: {
        tenants: number;
        transactions: number;
        seed: number;
        prefix: string;
        batchSize: number;
      }) => {
        const bar = new cliProgress.SingleBar(
          {
            format:
              'seeding [{bar}] {percentage}% | {value}/{total} transactions | {rate}/s | ETA {eta_formatted}',
            hideCursor: true,
            noTTYOutput: !process.stderr.isTTY,
            notTTYSchedule: 5000,
          },
          cliProgress.Presets.shades_classic,
        );
        const started = Date.now();
        let last = { done: 0, at: started };
        const result = await withOwnerDatabase(async (knex) => {
          bar.start(options.tenants * options.transactions, 0, { rate: 0 });
          try {
            return await seedDatabase(knex, {
              tenants: options.tenants,
              transactionsPerTenant: options.transactions,
              seed: options.seed,
              tenantPrefix: options.prefix,
              batchSize: options.batchSize,
              onProgress: (done) => {
                const now = Date.now();
                const rate = now > last.at ? Math.round(((done - last.done) * 1000) / (now - last.at)) : 0;
                last = { done, at: now };
                bar.update(done, { rate });
              },
            });
          } finally {
            bar.stop();
          }
        });
        const seconds = (Date.now() - started) / 1000;
        console.log(
          `seeded ${result.tenants.length} tenant(s) × ${options.transactions} transactions in ${seconds.toFixed(1)} s:`,
        );
        for (const tenant of result.tenants) console.log(`  ${tenant.name}  ${tenant.type}  ${tenant.id}`);
        console.log('issue a token with: findash token create --tenant <name> --role viewer');
      },
    );
}
