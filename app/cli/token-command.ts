import { Command, InvalidArgumentError } from 'commander';

import { asPlatform } from '../db/tenant-scope.js';
import { isRole, type Role } from '../domain/auth/roles.js';
import { NotFoundError } from '../domain/errors.js';
import { issueApiToken, revokeApiTokens } from '../domain/tenants/api-tokens.js';
import { findTenant } from '../domain/tenants/tenant-service.js';
import { withOwnerDatabase } from './database.js';

function role(value: string): Role {
  if (!isRole(value)) throw new InvalidArgumentError('role must be viewer, analyst or admin');
  return value;
}

export function registerTokenCommand(program: Command): void {
  const token = program
    .command('token')
    .description('API tokens (bearer credentials bound to a tenant and a role)');

  token
    .command('create')
    .description('issue a token; it is printed once and stored only as a hash')
    .requiredOption('--tenant <name>', 'tenant name')
    .requiredOption('--role <role>', 'viewer, analyst or admin', role)
    .option('--name <name>', 'a label for the token (shown in the audit log)', 'cli')
    .action(async (options: { tenant: string; role: Role; name: string }) => {
      const issued = await withOwnerDatabase((knex) =>
        asPlatform(knex, async (trx) => {
          const tenant = await findTenant(trx, options.tenant);
          if (!tenant) throw new NotFoundError('tenant', options.tenant);
          return issueApiToken(trx, tenant.id, options.name, options.role);
        }),
      );
      console.log(issued.token);
    });

  token
    .command('revoke')
    .description('revoke every active token with this name')
    .requiredOption('--tenant <name>', 'tenant name')
    .requiredOption('--name <name>', 'token name')
    .action(async (options: { tenant: string; name: string }) => {
      const count = await withOwnerDatabase((knex) =>
        asPlatform(knex, async (trx) => {
          const tenant = await findTenant(trx, options.tenant);
          if (!tenant) throw new NotFoundError('tenant', options.tenant);
          return revokeApiTokens(trx, tenant.id, options.name);
        }),
      );
      console.log(`revoked ${count} token(s)`);
    });
}
