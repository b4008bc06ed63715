import type { Knex } from 'knex';

import { CONNECTION_ERROR_CODES } from '../db/connection-errors.js';
import { createKnex } from '../db/knex.js';
import { resolveOwnerUrl } from '../db/resolve-url.js';

/** Runs a CLI action with an owner connection and always releases it. */
export async function withOwnerDatabase<T>(work: (knex: Knex) => Promise<T>): Promise<T> {
  const url = resolveOwnerUrl();
  const knex = createKnex({ url, applicationName: 'findash-cli', statementTimeoutMs: 0 });
  try {
    return await work(knex);
  } catch (error) {
    if (isUnreachable(error)) throw new Error(unreachableMessage(url, error));
    throw error;
  } finally {
    await knex.destroy();
  }
}

/* Duck-typed: pg's errors may come from another realm (jest's VM), where instanceof Error fails. */
function isUnreachable(error: unknown): error is { code: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    CONNECTION_ERROR_CODES.has(String((error as { code?: unknown }).code))
  );
}

/** Where the CLI tried to connect (host:port/database, never the password) and how to get a database. */
export function unreachableMessage(url: string, error: { code: string }): string {
  let where = 'the configured database';
  try {
    const u = new URL(url);
    where = `${u.hostname}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    /* not a URL: say no more than that */
  }
  return `cannot reach the database at ${where} (${error.code}): run "npm start" to start the embedded PostgreSQL, or set DATABASE_URL (or DATABASE_OWNER_URL) to a running one`;
}
