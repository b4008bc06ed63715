import { Option, type Command } from 'commander';

import { TENANT_NAME_PATTERN, type TenantType } from '../domain/tenants/tenant-model.js';
import { TenantService } from '../domain/tenants/tenant-service.js';
import { withOwnerDatabase } from './database.js';

/** The rule of the tenants.name check constraint, in words, so the CLI never shows the SQL error. */
const TENANT_NAME_RULE = (name: string): string =>
  `invalid tenant name "${name}": use a DNS-label-like name of 1-40 lowercase letters, digits or "-", starting and ending with a letter or digit`;

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
    .addOption(
      new Option('--type <type>', 'user or organization')
        .choices(['user', 'organization'])
        .default('organization'),
    )
    .option('--display-name <text>', 'display name')
    .option('--currency <code>', 'base currency (ISO 4217)', 'USD')
    .option('--timezone <zone>', 'IANA time zone', 'UTC')
    .action(
      async (
        name: string,
        options: { type: TenantType; displayName?: string; currency: string; timezone: string },
      ) => {
        if (!new RegExp(TENANT_NAME_PATTERN).test(name)) throw new Error(TENANT_NAME_RULE(name));
        const type = options.type;
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
