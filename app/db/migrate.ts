import type { Knex } from 'knex';

import { migrationConfig } from '../../migrations/index.js';

/** Runs every pending migration; returns the names applied. Run as the schema owner. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(migrationConfig)) as [number, string[]];
  return applied;
}

export async function migrateRollbackAll(knex: Knex): Promise<string[]> {
  const [, reverted] = (await knex.migrate.rollback(migrationConfig, true)) as [number, string[]];
  return reverted;
}

export async function migrationStatus(knex: Knex): Promise<{ completed: string[]; pending: string[] }> {
  const [completed, pending] = (await knex.migrate.list(migrationConfig)) as [
    Array<{ name: string }>,
    Array<{ file: string } | string>,
  ];
  return {
    completed: completed.map((m) => m.name),
    pending: pending.map((m) => (typeof m === 'string' ? m : m.file)),
  };
}
