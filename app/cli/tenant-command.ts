import type { Command } from 'commander';

import { TenantService } from '../domain/tenants/tenant-service.js';
import { withOwnerDatabase } from './database.js';

export function registerTenantCommand(program: Command): void {
  const tenant = program
    .command('tenant')
    .description('tenants (usually managed by the operator from Tenant resources)');

  tenant
    .command('list')
    .description('list tenants')
    .action(async () => {
      const tenants = await withOwnerDatabase((knex) => new TenantService(knex).getAll({ limit: 500 }));
      for (const t of tenants)
        console.log(`${t.name}\t${t.type}\t${t.status}\t${t.base_currency}\t${t.timezone}\t${t.id}`);
    });

  tenant
    .command('create')
    .description('create a tenant')
    .argument('<name>', 'DNS-label name')
    .option('--type <type>', 'user or organization', 'organization')
    .option('--display-name <text>', 'display name')
    .option('--currency <code>', 'base currency (ISO 4217)', 'USD')
    .option('--timezone <zone>', 'IANA time zone', 'UTC')
    .action(
      async (
        name: string,
        options: { type: string; displayName?: string; currency: string; timezone: string },
      ) => {
        const type = options.type === 'user' ? 'user' : 'organization';
        const created = await withOwnerDatabase((knex) =>
          new TenantService(knex).create({
            name,
            type,
            display_name: options.displayName ?? name,
            base_currency: options.currency,
            timezone: options.timezone,
          }),
        );
        console.log(created.id);
      },
    );
}
