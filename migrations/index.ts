import type { Knex } from 'knex';

import * as foundations from './20261125000001_foundations.js';
import * as tenantsAndAccess from './20261125000002_tenants_and_access.js';
import * as ledger from './20261125000003_ledger.js';
import * as rollups from './20261125000004_rollups.js';
import * as audit from './20261125000005_audit.js';
import * as rowLevelSecurity from './20261125000006_row_level_security.js';
import * as rollupCleanup from './20261125000007_rollup_cleanup_and_policy_initplan.js';

type Migration = Knex.Migration;

/**
 * Migrations are listed here rather than discovered on disk, so the same code runs under tsx,
 * jest and compiled JavaScript without a loader for .ts files. Append new ones at the end.
 */
const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  ['20261125000001_foundations', foundations],
  ['20261125000002_tenants_and_access', tenantsAndAccess],
  ['20261125000003_ledger', ledger],
  ['20261125000004_rollups', rollups],
  ['20261125000005_audit', audit],
  ['20261125000006_row_level_security', rowLevelSecurity],
  ['20261125000007_rollup_cleanup_and_policy_initplan', rollupCleanup],
];

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: () => Promise.resolve([...MIGRATIONS]),
  getMigrationName: ([name]) => name,
  getMigration: ([, migration]) => Promise.resolve(migration),
};

export const migrationConfig: Knex.MigratorConfig = {
  migrationSource,
  tableName: 'knex_migrations',
};
