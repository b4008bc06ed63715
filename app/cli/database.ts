import type { Knex } from 'knex';

import { createKnex } from '../db/knex.js';
import { resolveOwnerUrl } from '../db/resolve-url.js';

/** Runs a CLI action with an owner connection and always releases it. */
export async function withOwnerDatabase<T>(work: (knex: Knex) => Promise<T>): Promise<T> {
  const knex = createKnex({ url: resolveOwnerUrl(), applicationName: 'findash-cli', statementTimeoutMs: 0 });
  try {
    return await work(knex);
  } finally {
    await knex.destroy();
  }
}
